import type { TgRpcClients } from '../conversion/tgrpc/clients.js'
import type { GrpcServiceRuntime } from '../conversion/grpc/service-runtime.js'
import type { HealthAwareBalancer } from './health/health-aware-balancer.js'
import type { RetryBudget } from './retry-budget.js'
import type { Target, UpstreamTimeouts, UpstreamTransport } from './transport/transport.js'

/** When a failed attempt is tried again on another target (`src/proxy/exchange.ts` applies it). */
export interface RetryPolicy {
  /** Further attempts after the first, 0..10; 0 turns retries off. */
  readonly count: number
  /** Upstream statuses retried like a reset (idempotent requests with a replayable body only). */
  readonly onStatuses: ReadonlySet<number>
  /** The service's retry budget, shared by its requests in this worker and config version. */
  readonly budget: RetryBudget
}

/** A service as the request path uses it: compiled once per config version. */
export interface ServiceRuntime {
  readonly id: string
  readonly protocol: 'http' | 'https' | 'tgrpc' | 'grpc'
  /** The TG-RPC clients of a tgrpc service (undefined for other protocols). */
  readonly tgrpc: TgRpcClients | undefined
  /** Definitions, bindings and channels of a grpc service (undefined for other protocols). */
  readonly grpc: GrpcServiceRuntime | undefined
  /** Prefixed to the upstream path ('' for none, never a trailing '/'). */
  readonly basePath: string
  /**
   * The service's balancer with passive health in front (`health/health-aware-balancer.ts`).
   * Replaced, never changed in place, when the addresses of a target host name change
   * (`runtime/build-service.ts`); per-target state lives in the worker's registry, so an attempt
   * picked from the previous balancer ends correctly on this one.
   */
  balancer: HealthAwareBalancer
  /** The targets `balancer` spreads over: the configured addresses and the current addresses of host names. */
  targets: readonly Target[]
  readonly transport: UpstreamTransport
  readonly timeouts: UpstreamTimeouts
  readonly retry: RetryPolicy
}
