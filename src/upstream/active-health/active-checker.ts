import type { ServiceConfig } from '../../config/gateway-config.js'
import type { Logger } from '../../kit/logger.js'
import { toTargets } from '../targets.js'
import type { Target } from '../transport/transport.js'
import { activeCheckSettings, type ActiveCheckSettings } from './settings.js'
import { TargetCheck, type TargetCheckReport } from './target-check.js'

/** A verdict change: `targetId` of `serviceId` went down (`healthy` false) or came back. */
export type VerdictListener = (serviceId: string, targetId: string, healthy: boolean) => void

/** Seam for tests: the wall clock. */
export interface CheckerOptions {
  readonly wallClock?: () => number
  readonly log?: Logger
}

/** The targets of a service to check: by default its configured entries; with DNS, the resolved addresses. */
export type TargetsOf = (service: ServiceConfig) => readonly Target[]

interface Entry {
  readonly serviceId: string
  readonly id: string
  readonly host: string
  readonly port: number
  /** The configured host name when `host` is one of its addresses. */
  readonly hostName: string | undefined
  settings: ActiveCheckSettings
  readonly check: TargetCheck
  timer: NodeJS.Timeout | undefined
  removed: boolean
}

/**
 * Runs the active health checks of every service that configures them, once per node (in the
 * primary): one timer per (service, target), each check `interval_ms` after the previous one ended,
 * the first at a random point of the first interval so targets are not all checked at once.
 * Verdict changes go to the listener (the primary broadcasts them to the workers). A reload keeps
 * the state of every (service, target) still configured; a target dropped while down is reported
 * up, so no worker keeps it out for ever.
 */
export class ActiveHealthChecker {
  private readonly entries = new Map<string, Entry>()
  private readonly onVerdict: VerdictListener
  private readonly wallClock: () => number
  private readonly log: Logger | undefined
  /**
   * Settings per service object: one config version's services are checked again on every DNS
   * change, and their TLS files are read (and secure contexts built) once per version, not each time.
   */
  private readonly settingsByService = new WeakMap<ServiceConfig, ActiveCheckSettings | undefined>()
  private stopped = false

  constructor (onVerdict: VerdictListener, options: CheckerOptions = {}) {
    this.onVerdict = onVerdict
    this.wallClock = options.wallClock ?? Date.now
    this.log = options.log
  }

  /** Starts, keeps or stops checks to match the services of a config version (and the current addresses of their host names). */
  update (services: readonly ServiceConfig[], targetsOf: TargetsOf = (service) => toTargets(service.targets)): void {
    const wanted = new Set<string>()
    for (const service of services) {
      const settings = this.settingsOf(service)
      if (settings === undefined) continue
      for (const target of targetsOf(service)) {
        const id = target.id
        const key = `${service.id}\0${id}`
        wanted.add(key)
        const existing = this.entries.get(key)
        if (existing !== undefined) {
          existing.settings = settings
          existing.check.thresholds = settings
          continue
        }
        const entry: Entry = { serviceId: service.id, id, host: target.host, port: target.port, hostName: target.hostName, settings, check: new TargetCheck(settings), timer: undefined, removed: false }
        this.entries.set(key, entry)
        this.schedule(entry, Math.floor(Math.random() * settings.intervalMs))
      }
    }
    for (const [key, entry] of this.entries) {
      if (wanted.has(key)) continue
      this.entries.delete(key)
      entry.removed = true
      clearTimeout(entry.timer)
      if (!entry.check.healthy) this.onVerdict(entry.serviceId, entry.id, true)
    }
  }

  /**
   * The check settings of `service`. A TLS file that cannot be read any more (it was when the
   * config was validated) leaves the service unchecked, logged at error, rather than stopping the
   * primary; its targets count as up, as without active checks.
   */
  private settingsOf (service: ServiceConfig): ActiveCheckSettings | undefined {
    if (this.settingsByService.has(service)) return this.settingsByService.get(service)
    let settings: ActiveCheckSettings | undefined
    try {
      settings = activeCheckSettings(service)
    } catch (error) {
      this.log?.error({ service: service.id, error: (error as Error).message }, 'active checks not started: the service\'s TLS settings cannot be loaded')
    }
    this.settingsByService.set(service, settings)
    return settings
  }

  /** The (service, target) pairs found down now: what a worker that just started must be told. */
  downTargets (): Array<{ serviceId: string, targetId: string }> {
    const down: Array<{ serviceId: string, targetId: string }> = []
    for (const entry of this.entries.values()) if (!entry.check.healthy) down.push({ serviceId: entry.serviceId, targetId: entry.id })
    return down
  }

  /** The check state of `targetId` in `serviceId`, or undefined when it is not checked. */
  reportOf (serviceId: string, id: string): TargetCheckReport | undefined {
    return this.entries.get(`${serviceId}\0${id}`)?.check.report()
  }

  /** Stops every timer; checks in flight finish without effect. */
  stop (): void {
    this.stopped = true
    for (const entry of this.entries.values()) clearTimeout(entry.timer)
  }

  private schedule (entry: Entry, delayMs: number): void {
    if (this.stopped || entry.removed) return
    entry.timer = setTimeout(() => { void this.run(entry) }, delayMs)
    entry.timer.unref()
  }

  private async run (entry: Entry): Promise<void> {
    const s = entry.settings
    const error = await s.probe(entry, s.timeoutMs)
    if (this.stopped || entry.removed) return
    if (entry.check.record(error, this.wallClock())) {
      const healthy = entry.check.healthy
      if (healthy) this.log?.info({ service: entry.serviceId, target: entry.id }, 'upstream target healthy again (active checks)')
      else this.log?.warn({ service: entry.serviceId, target: entry.id, error }, 'upstream target down (active checks)')
      this.onVerdict(entry.serviceId, entry.id, healthy)
    }
    this.schedule(entry, s.intervalMs)
  }
}
