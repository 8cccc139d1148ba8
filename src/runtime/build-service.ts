import { performance } from 'node:perf_hooks'
import type { ServiceConfig } from '../config/gateway-config.js'
import type { Logger } from '../kit/logger.js'
import { activeRecoveryMs } from '../upstream/active-health/settings.js'
import { createBalancer, type BalancerOptions } from '../upstream/balancers/registry.js'
import type { DnsCache } from '../upstream/dns/dns-cache.js'
import { hostNamesOf, resolveTargets } from '../upstream/dns/resolved-targets.js'
import { HealthAwareBalancer, type HealthOptions } from '../upstream/health/health-aware-balancer.js'
import { RetryBudget } from '../upstream/retry-budget.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { TargetRegistry } from '../upstream/targets.js'
import type { Target } from '../upstream/transport/transport.js'
import type { TransportPool } from './transports.js'
import { compileGrpcService } from '../conversion/grpc/service-runtime.js'

/** What building a service needs from the worker. */
export interface ServiceDeps {
  readonly targets: TargetRegistry
  readonly transports: TransportPool
  readonly log: Logger
  /** The worker's answers for target host names; undefined: names are left to the system on connect. */
  readonly dns?: DnsCache | undefined
}

/** The service's targets now: its addresses, and the current addresses of its host names. */
function currentTargets (service: ServiceConfig, dns: DnsCache | undefined): Target[] {
  return resolveTargets(service.targets, service.dns.family, (name, family) => dns?.addresses(name, family))
}

function buildBalancer (service: ServiceConfig, targets: readonly Target[], deps: ServiceDeps): HealthAwareBalancer {
  const inner = createBalancer(service.balancer, targets, deps.targets, balancerOptions(service))
  return new HealthAwareBalancer(inner, targets, deps.targets, healthOptions(service, deps.log))
}

/** Compiles a service of a config version: targets (names resolved from the cache), balancer, transport, retries. */
export function buildService (service: ServiceConfig, deps: ServiceDeps): ServiceRuntime {
  const targets = currentTargets(service, deps.dns)
  return {
    id: service.id,
    protocol: service.protocol,
    tgrpc: service.protocol === 'tgrpc' ? deps.transports.tgRpcFor(service) : undefined,
    grpc: service.protocol === 'grpc' ? compileGrpcService(service, deps.transports.grpcFor(service)) : undefined,
    basePath: service.path,
    balancer: buildBalancer(service, targets, deps),
    targets,
    transport: deps.transports.forService(service),
    timeouts: { connectMs: service.timeouts.connect_ms, sendMs: service.timeouts.send_ms, readMs: service.timeouts.read_ms },
    retry: {
      count: service.retries.count,
      onStatuses: new Set(service.retries.on_statuses),
      budget: new RetryBudget(service.retries.budget_percent, service.retries.budget_min_per_second)
    }
  }
}

/**
 * Keeps a running service's targets in step with the DNS answers of its host names: when the
 * addresses of one of them change, the target list is rebuilt and a new balancer swapped in.
 * Counters stay in the registry under each address, so addresses still listed keep their state
 * (in-flight attempts included) and addresses that joined ramp up with slow start, as targets
 * added by a reload do. Returns the unsubscribe function (undefined when the service lists no name).
 */
export function followHostNames (runtime: ServiceRuntime, service: ServiceConfig, deps: ServiceDeps): (() => void) | undefined {
  const names = new Set(hostNamesOf(service.targets))
  const dns = deps.dns
  if (names.size === 0 || dns === undefined) return undefined
  return dns.onChange((name, family) => {
    if (!names.has(name.toLowerCase()) || family !== service.dns.family) return
    const targets = currentTargets(service, dns)
    const before = new Set(runtime.targets.map((t) => t.id))
    if (targets.length === before.size && targets.every((t) => before.has(t.id))) return
    runtime.targets = targets
    runtime.balancer = buildBalancer(service, targets, deps)
    const nowMs = performance.now()
    for (const id of deps.targets.enrolService(service.id, targets.map((t) => t.id))) deps.targets.startRamp(id, nowMs)
    deps.log.info({ service: service.id, name, targets: targets.map((t) => t.id) }, 'service targets follow a DNS change')
  })
}

/** The service's balancer options; an error counts as at least the read timeout unless configured. */
function balancerOptions (service: ServiceConfig): BalancerOptions {
  return {
    hashOn: service.hash_on,
    ...(service.hash_on === 'header' ? { hashHeader: service.hash_header } : {}),
    decayMs: service.ewma_decay_ms,
    errorPenaltyMs: service.ewma_error_penalty_ms ?? service.timeouts.read_ms
  }
}

/** Passive health, panic mode and slow start of a service, from its config. */
function healthOptions (service: ServiceConfig, log: Logger): HealthOptions {
  const p = service.passive_health
  return {
    serviceId: service.id,
    panicThresholdPercent: service.panic_threshold_percent,
    slowStartMs: service.slow_start_ms,
    activeRecoveryMs: activeRecoveryMs(service),
    log,
    passive: {
      enabled: p.enabled,
      consecutiveFailures: p.consecutive_failures,
      failureRatePercent: p.failure_rate_percent,
      windowMs: p.window_ms,
      minRequests: p.min_requests,
      baseEjectionMs: p.base_ejection_ms,
      maxEjectionMs: p.max_ejection_ms,
      ejectionJitterMs: p.ejection_jitter_ms,
      maxEjectedPercent: p.max_ejected_percent
    }
  }
}
