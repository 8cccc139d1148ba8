import type { RequestContext } from '../pipeline/context.js'
import type { Target } from '../upstream/transport/transport.js'

/** Methods that can be replayed on a fresh connection without changing the outcome (RFC 9110 §9.2.2). */
const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE'])

export function isIdempotent (method: string): boolean {
  return IDEMPOTENT.has(method)
}

/** The request-target sent upstream: the service base path, the (possibly stripped) path and the raw query. */
export function upstreamTarget (basePath: string, path: string, query: string): string {
  const joined = basePath === '' ? path : (path === '/' ? basePath : basePath + path)
  return query === '' ? joined : `${joined}?${query}`
}

/** The Host sent upstream: the client's when preserve_host, else the target's (port left out when default). */
export function upstreamHost (ctx: RequestContext, target: Target, preserveHost: boolean, protocol: string): string {
  if (preserveHost) {
    const clientHost = ctx.rawHost
    if (clientHost !== '') return clientHost
  }
  const defaultPort = protocol === 'https' ? 443 : 80
  const name = target.hostName ?? target.host
  const host = name.includes(':') ? `[${name}]` : name
  return target.port === defaultPort ? host : `${host}:${target.port}`
}
