import type { Balancer } from './balancers/balancer.js'
import type { UpstreamTimeouts, UpstreamTransport } from './transport/transport.js'

/** A service as the request path uses it: compiled once per config version. */
export interface ServiceRuntime {
  readonly id: string
  readonly protocol: 'http' | 'https'
  /** Prefixed to the upstream path ('' for none, never a trailing '/'). */
  readonly basePath: string
  readonly balancer: Balancer
  readonly transport: UpstreamTransport
  readonly timeouts: UpstreamTimeouts
}
