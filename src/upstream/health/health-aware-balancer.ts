import { performance } from 'node:perf_hooks'
import type { Logger } from '../../kit/logger.js'
import type { AttemptOutcome, Balancer, PickInput } from '../balancers/balancer.js'
import { unseededRandom, type RandomSource } from '../balancers/random.js'
import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import { OutlierDetector, type PassiveHealthOptions } from './outlier.js'
import { DEFAULT_SLOW_START_MS, slowStartFactor } from './slow-start.js'

/** Options of `HealthAwareBalancer`; every field has a default. */
export interface HealthOptions {
  /** Outlier ejection (see `OutlierDetector`); default `PASSIVE_HEALTH_DEFAULTS`. */
  readonly passive?: PassiveHealthOptions
  /**
   * Panic mode: when fewer than this percent of the service's targets (of weight > 0) are healthy,
   * ejection is ignored and every target is used; 0..100, 0 never panics; default 50 (Envoy's).
   */
  readonly panicThresholdPercent?: number
  /**
   * How long a target that active checks found down needs at least to be found up again, ms
   * (interval × healthy threshold): the `Retry-After` of a 503 when every target is down; default 1000.
   */
  readonly activeRecoveryMs?: number
  /** Slow-start window, ms, 0 for none; default 30 000 (see `slowStartFactor`). */
  readonly slowStartMs?: number
  /** The service's id, for logs. */
  readonly serviceId?: string
  /** Clock in milliseconds, monotonic; default `performance.now`. Must be the balancer's clock. */
  readonly now?: () => number
  /** Uniform numbers in [0, 1): ejection jitter and slow-start admission; default seeded from the OS. */
  readonly random?: RandomSource
  readonly log?: Logger
}

/** Default panic threshold, percent of targets healthy. */
export const DEFAULT_PANIC_THRESHOLD_PERCENT = 50

/**
 * Passive health in front of any balancer: the one place where ejected targets are kept out of
 * picks, panic mode and slow start are applied, and every outcome reaches the outlier detector.
 * The inner balancer never knows about health: it gets ejected targets in its `exclude` set.
 *
 * - **Ejection**: a target the detector ejected is excluded from every pick until its ejection
 *   ends (also from retries; a request never falls back to an ejected target).
 * - **Active health**: a target the primary's checks found down (`TargetRegistry.setActiveHealth`)
 *   is excluded from every pick, panic mode included; when every target is down the pick returns
 *   undefined (the proxy answers 503 with `Retry-After`).
 * - **Panic mode**: when fewer than `panicThresholdPercent` % of the targets are not ejected, the
 *   pick ignores ejection altogether (better some requests on a failing target than all on the
 *   few left, or none); logged once per entry at warn, counted in `panicPicks`.
 * - **Slow start**: a target ramping (`slowStartFactor` f < 1) that the inner balancer picked is
 *   taken with probability f, otherwise the pick is made again without it, so its share of traffic
 *   grows about linearly with f from 10 % to all of it over `slowStartMs`. Not applied to
 *   `consistent-hash`, where moving a key away from its owner would defeat the hashing.
 *
 * Cost when nothing is ejected or ramping anywhere in the worker (the usual case): one clock read
 * and two comparisons per pick, no allocation (see `TargetRegistry.latestEjectionEndMs`).
 */
export class HealthAwareBalancer implements Balancer {
  readonly name: string
  readonly inner: Balancer
  readonly detector: OutlierDetector
  /** Picks made in panic mode. */
  panicPicks = 0
  private inPanic = false
  private readonly targets: readonly Target[]
  private readonly registry: TargetRegistry
  private readonly panicThresholdPercent: number
  private readonly slowStartMs: number
  private readonly activeRecoveryMs: number
  private readonly now: () => number
  private readonly random: RandomSource
  private readonly log: Logger | undefined
  private readonly serviceId: string
  /** Reused exclude set for the checked path; picks are synchronous, so one per balancer is enough. */
  private readonly scratch = new Set<string>()

  /**
   * @param inner the service's balancer, built over the same `targets` and `registry`
   * Throws on a panic threshold or slow-start window out of range, or a passive option the
   * detector refuses.
   */
  constructor (inner: Balancer, targets: readonly Target[], registry: TargetRegistry, options: HealthOptions = {}) {
    const panicThresholdPercent = options.panicThresholdPercent ?? DEFAULT_PANIC_THRESHOLD_PERCENT
    const slowStartMs = options.slowStartMs ?? DEFAULT_SLOW_START_MS
    if (!(Number.isInteger(panicThresholdPercent) && panicThresholdPercent >= 0 && panicThresholdPercent <= 100)) throw new Error(`health: panicThresholdPercent must be an integer in 0..100, got ${panicThresholdPercent}`)
    if (!(Number.isInteger(slowStartMs) && slowStartMs >= 0)) throw new Error(`health: slowStartMs must be an integer ≥ 0, got ${slowStartMs}`)
    this.name = inner.name
    this.inner = inner
    this.targets = targets.filter((target) => target.weight > 0)
    this.registry = registry
    this.panicThresholdPercent = panicThresholdPercent
    this.slowStartMs = inner.name === 'consistent-hash' ? 0 : slowStartMs
    this.activeRecoveryMs = options.activeRecoveryMs ?? 1000
    this.now = options.now ?? (() => performance.now())
    this.random = options.random ?? unseededRandom()
    this.log = options.log
    this.serviceId = options.serviceId ?? ''
    this.detector = new OutlierDetector(this.serviceId, targets, registry, options.passive ?? {}, this.random, options.log)
  }

  /** The inner balancer's pick among the targets not excluded and not ejected (all of them in panic mode), with slow start. */
  pick (input: PickInput, exclude?: ReadonlySet<string>): Target | undefined {
    const nowMs = this.now()
    const registry = this.registry
    if (nowMs >= registry.latestEjectionEndMs && nowMs >= registry.latestRampStartMs + this.slowStartMs && registry.down.size === 0) return this.inner.pick(input, exclude)
    return this.pickChecked(input, exclude, nowMs)
  }

  onSend (target: Target): void {
    this.inner.onSend(target)
  }

  /** The inner balancer's `onDone`, then the outlier detector. */
  onDone (target: Target, outcome: AttemptOutcome): void {
    this.inner.onDone(target, outcome)
    this.detector.record(target, outcome, this.now())
  }

  /**
   * When `pick` found no target: how long, ms, until one may be usable again, for `Retry-After`:
   * the shortest ejection left, or `activeRecoveryMs` for a target active checks found down;
   * 1000 when neither explains it.
   */
  retryAfterMs (nowMs: number): number {
    let soonest = Infinity
    for (const target of this.targets) {
      const state = this.registry.peek(target.id)
      if (state === undefined) continue
      if (state.downFor.size > 0) soonest = Math.min(soonest, this.activeRecoveryMs)
      else if (nowMs < state.ejectedUntilMs) soonest = Math.min(soonest, state.ejectedUntilMs - nowMs)
    }
    return Number.isFinite(soonest) ? soonest : 1000
  }

  private pickChecked (input: PickInput, exclude: ReadonlySet<string> | undefined, nowMs: number): Target | undefined {
    const scratch = this.scratch
    scratch.clear()
    if (exclude !== undefined) for (const id of exclude) scratch.add(id)
    let healthy = 0
    let down = 0
    for (const target of this.targets) {
      const state = this.registry.peek(target.id)
      if (state === undefined) healthy++
      else if (state.downFor.size > 0) { scratch.add(target.id); down++ } else if (nowMs < state.ejectedUntilMs) scratch.add(target.id)
      else healthy++
    }
    const total = this.targets.length
    const panic = total > down && healthy * 100 < this.panicThresholdPercent * total
    if (panic !== this.inPanic) this.notePanic(panic, healthy, total)
    if (panic) {
      // Panic ignores passive ejection only: a target the active checks found down stays out.
      this.panicPicks++
      scratch.clear()
      if (exclude !== undefined) for (const id of exclude) scratch.add(id)
      if (down > 0) for (const target of this.targets) if (this.registry.down.has(target.id)) scratch.add(target.id)
    }
    const picked = this.inner.pick(input, scratch)
    if (picked === undefined || this.slowStartMs === 0) return picked
    const factor = slowStartFactor(this.registry.peek(picked.id), nowMs, this.slowStartMs)
    if (factor >= 1 || this.random() < factor) return picked
    scratch.add(picked.id)
    return this.inner.pick(input, scratch) ?? picked
  }

  private notePanic (panic: boolean, healthy: number, total: number): void {
    this.inPanic = panic
    if (panic) this.log?.warn({ service: this.serviceId, healthy, targets: total, threshold_percent: this.panicThresholdPercent }, 'upstream panic mode: too few healthy targets, ejection ignored')
    else this.log?.info({ service: this.serviceId, healthy, targets: total }, 'upstream panic mode over')
  }
}
