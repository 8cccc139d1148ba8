import type { PluginContext } from '../../kit/context.js'

/** What a key part names: `merchant`, `route`, `service`, `ip`, or `header:<name>`. */
export type KeyPart = string

/** Turns a request into the counter key of a binding. */
export type KeyOf = (ctx: PluginContext) => string

/**
 * The client IP as a stand-in for a value the request lacks (no merchant identified, header
 * absent). The `\0ip:` prefix keeps it apart from real merchant ids and header values in the same
 * key space; only this fallback pays for the concatenation.
 */
function ipStandIn (ctx: PluginContext): string {
  return '\0ip:' + ctx.request.clientIp
}

/** The reader of one part; every reader returns a string the request already holds, except the fallbacks. */
function partReader (part: KeyPart): KeyOf {
  switch (part) {
    case 'merchant': return (ctx) => ctx.merchant?.id ?? ipStandIn(ctx)
    case 'route': return (ctx) => ctx.routeId
    case 'service': return (ctx) => ctx.serviceId
    case 'ip': return (ctx) => ctx.request.clientIp
  }
  if (!part.startsWith('header:')) throw new RangeError(`rate-limit: unknown key part ${JSON.stringify(part)}`)
  const name = part.slice('header:'.length).toLowerCase()
  return (ctx) => ctx.request.headers.get(name) ?? ipStandIn(ctx)
}

/**
 * Compiles `key_by` once per binding. One part reads an existing string (no allocation per
 * request); several are joined with `\n`, which no merchant id, route id, address or header value
 * contains, so two different combinations never make the same key.
 */
export function compileKeyOf (parts: readonly KeyPart[]): KeyOf {
  const readers = parts.map(partReader)
  if (readers.length === 1) return readers[0] as KeyOf
  if (readers.length === 2) {
    const [a, b] = readers as [KeyOf, KeyOf]
    return (ctx) => a(ctx) + '\n' + b(ctx)
  }
  return (ctx) => {
    let key = (readers[0] as KeyOf)(ctx)
    for (let i = 1; i < readers.length; i++) key += '\n' + (readers[i] as KeyOf)(ctx)
    return key
  }
}
