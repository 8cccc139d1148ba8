import type { RequestContext } from '../../pipeline/context.js'
import { HeaderKey } from '../../tgrpc/protocol.js'
import type { TgRpcRouteCall } from './route-call.js'

// Header map values are at most 65535 bytes; longer request values are not forwarded rather than
// failing the call (the limit is far above any header the ingress admits).
const MAX_VALUE_BYTES = 0xffff
const ENTRY_KEY = /^[a-z0-9][a-z0-9._-]{0,252}$/

/**
 * The header map of a call: request id, merchant, trace context and content type, then the route's
 * forwarded headers (`h-<name>`), query parameters (`q-<name>`) and path parameters (`p-<name>`).
 */
export function callHeaders (ctx: RequestContext, call: TgRpcRouteCall): Array<readonly [string, string]> {
  const request = ctx.request
  const entries: Array<readonly [string, string]> = [[HeaderKey.REQUEST_ID, request.id]]
  if (ctx.merchant !== undefined) entries.push([HeaderKey.MERCHANT_ID, ctx.merchant.id])
  const traceparent = request.headers.get('traceparent')
  if (traceparent !== undefined) entries.push([HeaderKey.TRACEPARENT, traceparent])
  const contentType = request.headers.get('content-type')
  if (contentType !== undefined) entries.push([HeaderKey.CONTENT_TYPE, contentType])
  for (const name of call.forwardHeaders) {
    const value = request.headers.get(name)
    if (value !== undefined) add(entries, `h-${name}`, value)
  }
  if (call.forwardQuery && request.query !== '') {
    for (const [name, value] of new URLSearchParams(request.query)) add(entries, `q-${name.toLowerCase()}`, value)
  }
  if (call.pathParams !== undefined) {
    const values = call.pathParams.match(ctx.routedPath)
    if (values !== undefined) call.pathParams.names.forEach((name, i) => add(entries, `p-${name}`, values[i] as string))
  }
  return entries
}

function add (entries: Array<readonly [string, string]>, key: string, value: string): void {
  if (!ENTRY_KEY.test(key) || Buffer.byteLength(value) > MAX_VALUE_BYTES) return
  entries.push([key, value])
}
