import type { ServiceConfig } from '../../config/gateway-config.js'
import { DEFAULT_CHECK_PATH, DEFAULT_EXPECTED_STATUSES } from '../../config/schema/service.js'
import { nodeTlsOptions, targetTlsOf } from '../target-tls.js'
import { grpcProbe } from './grpc-probe.js'
import { httpProbe } from './http-probe.js'
import type { TargetProbe } from './probe.js'
import { tgRpcProbe } from './tgrpc-probe.js'

/** The active checks of one service, from its config. */
export interface ActiveCheckSettings {
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
  /** One check in the service's protocol, its TLS prepared once per settings. */
  readonly probe: TargetProbe
}

/**
 * The service's active-check settings, or undefined when it has none configured. The check
 * speaks the service's protocol: HTTP GET for http and https (over TLS when `https` or the
 * protocol says so), the TG-RPC health method for tgrpc, grpc.health.v1 for grpc; TLS as the
 * service's own calls use it (`tls` section, with `tgrpc.tls` / `grpc.tls` for the RPC protocols).
 */
export function activeCheckSettings (service: ServiceConfig): ActiveCheckSettings | undefined {
  const active = service.health_checks.active
  if (active === undefined) return undefined
  return {
    intervalMs: active.interval_ms,
    timeoutMs: active.timeout_ms,
    healthyThreshold: active.healthy_threshold,
    unhealthyThreshold: active.unhealthy_threshold,
    probe: probeOf(service, active)
  }
}

function probeOf (service: ServiceConfig, active: NonNullable<ServiceConfig['health_checks']['active']>): TargetProbe {
  switch (service.protocol) {
    case 'grpc':
      return grpcProbe({ service: active.grpc_service ?? '', tls: service.grpc.tls ? targetTlsOf(service) : undefined })
    case 'tgrpc':
      return tgRpcProbe({ service: active.tgrpc_service ?? '', tls: service.tgrpc.tls ? nodeTlsOptions(targetTlsOf(service)) : undefined })
    default:
      return httpProbe({
        path: active.path ?? DEFAULT_CHECK_PATH,
        expectedStatuses: new Set(active.expected_statuses ?? DEFAULT_EXPECTED_STATUSES),
        hostHeader: active.host,
        tls: (active.https ?? service.protocol === 'https') ? nodeTlsOptions(targetTlsOf(service)) : undefined
      })
  }
}

/**
 * How long a target found down needs at least to be found up again, ms: `interval × healthy
 * threshold` (the workers' `Retry-After` when every target is down); 1000 without active checks.
 */
export function activeRecoveryMs (service: ServiceConfig): number {
  const active = service.health_checks.active
  return active === undefined ? 1000 : active.interval_ms * active.healthy_threshold
}
