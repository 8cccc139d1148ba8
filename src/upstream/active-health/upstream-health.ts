import type { GatewayConfig } from '../../config/gateway-config.js'
import type { Logger } from '../../kit/logger.js'
import type { PassiveTargetState } from '../health/passive-report.js'
import { dnsCacheFor, type DnsCacheInUse } from '../dns/dns-cache.js'
import { resolveTargets, wantedNamesOf } from '../dns/resolved-targets.js'
import { resolverSettingsOf } from '../dns/settings.js'
import { ActiveHealthChecker, type CheckerOptions, type TargetsOf } from './active-checker.js'
import type { TargetCheckReport } from './target-check.js'

/** A verdict of the primary's checks, as broadcast to the workers. */
export interface TargetHealthMessage {
  readonly type: 'target-health'
  readonly serviceId: string
  readonly targetId: string
  readonly healthy: boolean
}

/** One target in the health report. */
export interface TargetHealthReport {
  readonly address: string
  /** The configured host name the address was resolved from; absent for a configured address. */
  readonly host_name?: string
  readonly weight: number
  /** `unhealthy`: found down by active checks; `ejected`: ejected by at least one worker; else `healthy`. */
  readonly state: 'healthy' | 'unhealthy' | 'ejected'
  /** The active checks' view, null when the service has none. */
  readonly active: TargetCheckReport | null
  /** The workers' passive view, summed over the workers that reported. */
  readonly passive: {
    readonly ejected_in_workers: number
    readonly longest_ejection_left_ms: number
    readonly consecutive_failures_max: number
    readonly in_flight: number
    /** Attempts sent to the target, summed over the workers (since each started). */
    readonly requests: number
  }
}

/** `upstreamHealthReport()`: every service and target of the running config. */
export interface UpstreamHealthReport {
  readonly generated_at: string
  readonly workers_reporting: number
  readonly services: ReadonlyArray<{ readonly id: string, readonly active_checks: boolean, readonly targets: readonly TargetHealthReport[] }>
}

/**
 * Upstream health in the primary: runs the active checks (once per node), broadcasts their
 * verdicts to the workers, tells a new worker which targets are down, keeps the passive states
 * each worker reports, and builds the health report. `primary.ts` only forwards events to it.
 */
export class UpstreamHealth {
  private config: GatewayConfig
  private readonly checker: ActiveHealthChecker
  private readonly passive = new Map<number, readonly PassiveTargetState[]>()
  /** The primary's own answers for target host names: checks and the report follow the resolved addresses, as the workers' balancers do. */
  private dns: DnsCacheInUse | undefined
  private readonly targetsOf: TargetsOf = (service) => resolveTargets(service.targets, service.dns.family, (name, family) => this.dns?.cache.addresses(name, family))

  constructor (config: GatewayConfig, broadcast: (message: TargetHealthMessage) => void, private readonly log: Logger, options: Omit<CheckerOptions, 'log'> = {}) {
    this.config = config
    this.checker = new ActiveHealthChecker((serviceId, id, healthy) => broadcast({ type: 'target-health', serviceId, targetId: id, healthy }), { ...options, log })
    this.update(config)
  }

  /** A new config version: checks follow its services (and, once resolved, the addresses of their host names). */
  update (config: GatewayConfig): void {
    this.config = config
    this.checker.update(config.services, this.targetsOf)
    void this.resolveNames(config)
  }

  /** Resolves the config's host names (a failure leaves a name unresolved: it is checked by name). */
  private async resolveNames (config: GatewayConfig): Promise<void> {
    const names = wantedNamesOf(config.services)
    if (names.length === 0 && this.dns === undefined) return
    const inUse = dnsCacheFor(this.dns, resolverSettingsOf(config.gateway), this.log)
    if (inUse !== this.dns) {
      this.dns?.cache.stop()
      this.dns = inUse
      inUse.cache.onChange(() => this.checker.update(this.config.services, this.targetsOf))
    }
    await inUse.cache.prepare(names)
    inUse.cache.retain(names)
    if (this.config === config) this.checker.update(config.services, this.targetsOf)
  }

  /** A worker (new or restarted) is ready: it hears of every target down now. */
  greet (send: (message: TargetHealthMessage) => void): void {
    for (const { serviceId, targetId: id } of this.checker.downTargets()) send({ type: 'target-health', serviceId, targetId: id, healthy: false })
  }

  /** The passive states a worker (by pid) reported. */
  onWorkerStates (pid: number, targets: readonly PassiveTargetState[]): void {
    this.passive.set(pid, targets)
  }

  /** A worker exited: its passive view is forgotten. */
  onWorkerExit (pid: number): void {
    this.passive.delete(pid)
  }

  stop (): void {
    this.checker.stop()
    this.dns?.cache.stop()
  }

  /** The report: per service, per target, active and passive state. */
  report (): UpstreamHealthReport {
    const byTarget = new Map<string, PassiveTargetState[]>()
    for (const states of this.passive.values()) {
      for (const state of states) {
        let list = byTarget.get(state.id)
        if (list === undefined) byTarget.set(state.id, (list = []))
        list.push(state)
      }
    }
    return {
      generated_at: new Date().toISOString(),
      workers_reporting: this.passive.size,
      services: this.config.services.map((service) => ({
        id: service.id,
        active_checks: service.health_checks.active !== undefined,
        targets: this.targetsOf(service).map((target) => {
          const id = target.id
          const active = this.checker.reportOf(service.id, id) ?? null
          const states = byTarget.get(id) ?? []
          const passive = {
            ejected_in_workers: states.filter((s) => s.ejected_for_ms > 0).length,
            longest_ejection_left_ms: Math.max(0, ...states.map((s) => s.ejected_for_ms)),
            consecutive_failures_max: Math.max(0, ...states.map((s) => s.consecutive_failures)),
            in_flight: states.reduce((sum, s) => sum + s.in_flight, 0),
            requests: states.reduce((sum, s) => sum + s.requests, 0)
          }
          const state = active !== null && !active.healthy ? 'unhealthy' : passive.ejected_in_workers > 0 ? 'ejected' : 'healthy'
          return { address: id, ...(target.hostName === undefined ? {} : { host_name: target.hostName }), weight: target.weight, state, active, passive }
        })
      }))
    }
  }
}
