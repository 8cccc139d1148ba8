import type { SeenRequest } from './upstream-server.js'

/** Fields whose value differs per request or per gateway by design (ids, ports): compared by name only. */
const VARYING = new Set(['x-request-id', 'traceparent', 'host', 'x-forwarded-port'])

/** What an upstream received of one request, comparable across gateways: method, URL, fields in order, body. */
export function upstreamView (seen: SeenRequest): unknown {
  const headers: string[] = []
  for (let i = 0; i < seen.rawHeaders.length; i += 2) {
    const name = (seen.rawHeaders[i] as string).toLowerCase()
    headers.push(name, VARYING.has(name) ? '(varies)' : seen.rawHeaders[i + 1] as string)
  }
  return { method: seen.method, url: seen.url, headers, body: seen.body.toString('latin1') }
}

/**
 * The views of what an upstream received, in a canonical order: the gateway proxies pipelined
 * requests concurrently, so the upstream may see them in any order.
 */
export function upstreamViews (seen: readonly SeenRequest[]): unknown[] {
  return seen.map(upstreamView).map((v) => JSON.stringify(v)).sort().map((v) => JSON.parse(v) as unknown)
}
