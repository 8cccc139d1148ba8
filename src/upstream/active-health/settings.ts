import type { ServiceConfig } from '../../config/gateway-config.js'

/** The active checks of one service, from its config. */
export interface ActiveCheckSettings {
  readonly path: string
  readonly intervalMs: number
  readonly timeoutMs: number
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
  readonly expectedStatuses: ReadonlySet<number>
  readonly https: boolean
  readonly tlsVerify: boolean
  /** Host header; undefined: the target's `host:port`. */
  readonly hostHeader: string | undefined
}

/** The service's active-check settings, or undefined when it has none configured. */
export function activeCheckSettings (service: ServiceConfig): ActiveCheckSettings | undefined {
  const active = service.health_checks.active
  if (active === undefined) return undefined
  return {
    path: active.path,
    intervalMs: active.interval_ms,
    timeoutMs: active.timeout_ms,
    healthyThreshold: active.healthy_threshold,
    unhealthyThreshold: active.unhealthy_threshold,
    expectedStatuses: new Set(active.expected_statuses),
    https: active.https ?? service.protocol === 'https',
    tlsVerify: service.tls.verify,
    hostHeader: active.host
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
