import type { TgRpcRouteCall } from '../conversion/tgrpc/route-call.js'
import type { GrpcBinding } from '../conversion/grpc/http-rules/bindings.js'
import type { Router } from '../router/router.js'
import type { ChainIndex, ScopedBinding } from '../pipeline/compile.js'
import type { MerchantDirectory } from '../kit/merchant.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { UpstreamTimeouts } from '../upstream/transport/transport.js'
import type { ProxySettings } from '../proxy/proxy.js'

/** Per-route facts the request path needs after matching. */
export interface RouteRuntime {
  readonly id: string
  readonly serviceId: string
  readonly preserveHost: boolean
  /** The route's upstream timeouts (its overrides over the service's); undefined: the service's. */
  readonly timeouts: UpstreamTimeouts | undefined
  /** Non-idempotent requests may be retried like idempotent ones (`retryable: true`). */
  readonly retryable: boolean
  /** The TG-RPC call of a route to a tgrpc service. */
  readonly tgrpc: TgRpcRouteCall | undefined
  /** The gRPC method of a route with a `grpc` mapping (otherwise the service's annotations decide). */
  readonly grpc: GrpcBinding | undefined
}

/** Request limits of the ingress that the pipeline checks itself. */
export interface RequestLimits {
  readonly maxHeaderCount: number
  readonly maxUrlBytes: number
  readonly maxBodyBytes: number
}

/**
 * Everything one config version compiled for the request path. Swapped atomically on reload; a
 * request keeps the snapshot it started with, and the snapshot's plugin states are destroyed only
 * after its last request finished.
 */
export interface Snapshot {
  readonly version: number
  readonly router: Router
  readonly routes: ReadonlyMap<string, RouteRuntime>
  readonly services: ReadonlyMap<string, ServiceRuntime>
  readonly chains: ChainIndex
  readonly bindings: readonly ScopedBinding[]
  readonly merchants: MerchantDirectory
  readonly proxy: ProxySettings
  readonly limits: RequestLimits
  readonly requestId: { readonly header: string, readonly trustIncoming: boolean, readonly fromAnyPeer: boolean }
  /** Requests started on this snapshot and not finished yet. */
  inFlight: number
  /** Set when a newer snapshot replaced this one. */
  retired: boolean
  /** Stops what keeps the snapshot's services up to date (DNS answers); called when it is replaced. */
  readonly detach: () => void
}
