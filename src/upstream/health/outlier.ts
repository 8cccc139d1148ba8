import type { Logger } from '../../kit/logger.js'
import type { AttemptOutcome } from '../balancers/balancer.js'
import type { RandomSource } from '../balancers/random.js'
import type { TargetRegistry, TargetState } from '../targets.js'
import type { Target } from '../transport/transport.js'
import { MAX_WINDOW_SECONDS, SecondCounts } from './second-counts.js'
import { ejectionsTotal } from '../../metrics/upstream-metrics.js'

/** Passive health options of one service; every field has a default (`PASSIVE_HEALTH_DEFAULTS`). */
export interface PassiveHealthOptions {
  /** Eject failing targets at all; default true. */
  readonly enabled?: boolean
  /** Failures in a row (no success between) that eject a target; 0 turns this detector off; default 5. */
  readonly consecutiveFailures?: number
  /** Failure share, percent, at or above which a target is ejected (with `minRequests`); 0 turns this detector off; default 50. */
  readonly failureRatePercent?: number
  /** The failure-rate window, ms, counted in whole seconds, 1000..60000; default 10 000. */
  readonly windowMs?: number
  /** Least attempts in the window before the failure rate is believed; default 50. */
  readonly minRequests?: number
  /** Ejection length per time ejected, ms; default 30 000. */
  readonly baseEjectionMs?: number
  /** Cap on the ejection length before jitter, ms; default 300 000. */
  readonly maxEjectionMs?: number
  /** Up to this much, ms, uniformly random, is added to each ejection so workers do not bring a target back all at once; default 5000. */
  readonly ejectionJitterMs?: number
  /** Most of a service's targets ejected at once, percent, but always at least one; default 10. */
  readonly maxEjectedPercent?: number
}

/** The defaults (Envoy's outlier detection; design-notes part 2, recommendation 4). */
export const PASSIVE_HEALTH_DEFAULTS: Readonly<Required<PassiveHealthOptions>> = Object.freeze({
  enabled: true,
  consecutiveFailures: 5,
  failureRatePercent: 50,
  windowMs: 10_000,
  minRequests: 50,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  ejectionJitterMs: 5_000,
  maxEjectedPercent: 10
})

/** Why a target was ejected. */
export type EjectionReason = 'consecutive-failures' | 'failure-rate'

/**
 * Passive health of one service's targets (outlier ejection, as Envoy's): watches the outcome of
 * every attempt and ejects a target that fails
 *
 * - `consecutiveFailures` times in a row (connect error, reset, timeout, 502/503/504), or
 * - at `failureRatePercent` % or more of at least `minRequests` attempts in the last `windowMs`,
 *
 * for `min(baseEjectionMs × n, maxEjectionMs) + U(0, ejectionJitterMs)`, `n` the times it was
 * ejected (forgotten after it stayed in for `maxEjectionMs`). At most `maxEjectedPercent` % of the
 * service's targets (of weight > 0) are ejected at once, but at least one; past that cap a target
 * is not ejected, whatever it does. A success resets the consecutive count; an attempt the client
 * aborted counts for nothing. When the ejection ends the target is back, with slow start.
 *
 * The state (`ejectedUntilMs`, `ejections`, the outcome window) lives in the worker's shared
 * `TargetState`, so a reload keeps it; a target listed by two services is ejected for both.
 * Misuse (an option out of range) throws in the constructor.
 */
export class OutlierDetector {
  readonly options: Readonly<Required<PassiveHealthOptions>>
  /** Ejections this detector made, and those it refused because of the cap (for status and tests). */
  ejected = 0
  refusedByCap = 0
  private readonly targets: readonly Target[]
  private readonly registry: TargetRegistry
  private readonly random: RandomSource
  private readonly log: Logger | undefined
  private readonly serviceId: string
  private readonly windowSeconds: number
  private readonly maxEjected: number

  /**
   * @param targets the service's targets (those of weight 0 do not count towards the cap)
   * @param random uniform numbers in [0, 1) for the jitter
   */
  constructor (serviceId: string, targets: readonly Target[], registry: TargetRegistry, options: PassiveHealthOptions, random: RandomSource, log?: Logger) {
    const o = { ...PASSIVE_HEALTH_DEFAULTS, ...withoutUndefined(options) }
    checkInteger('consecutiveFailures', o.consecutiveFailures, 0, 1_000_000)
    checkInteger('failureRatePercent', o.failureRatePercent, 0, 100)
    checkInteger('windowMs', o.windowMs, 1000, MAX_WINDOW_SECONDS * 1000)
    checkInteger('minRequests', o.minRequests, 1, 1_000_000_000)
    checkInteger('baseEjectionMs', o.baseEjectionMs, 1, 86_400_000)
    checkInteger('maxEjectionMs', o.maxEjectionMs, o.baseEjectionMs, 86_400_000)
    checkInteger('ejectionJitterMs', o.ejectionJitterMs, 0, 86_400_000)
    checkInteger('maxEjectedPercent', o.maxEjectedPercent, 0, 100)
    this.options = Object.freeze(o)
    this.serviceId = serviceId
    this.targets = targets.filter((target) => target.weight > 0)
    this.registry = registry
    this.random = random
    this.log = log
    this.windowSeconds = Math.ceil(o.windowMs / 1000)
    // "At most 10 % but at least one": with 4 targets one may go, with 25 two (Envoy's rule).
    this.maxEjected = Math.max(1, Math.floor(this.targets.length * o.maxEjectedPercent / 100))
  }

  /** True while `target` is ejected at clock time `nowMs`. */
  isEjected (targetId: string, nowMs: number): boolean {
    const state = this.registry.peek(targetId)
    return state !== undefined && nowMs < state.ejectedUntilMs
  }

  /** How many of the service's targets are ejected at `nowMs`. */
  ejectedCount (nowMs: number): number {
    let count = 0
    for (const target of this.targets) if (this.isEjected(target.id, nowMs)) count++
    return count
  }

  /**
   * Takes the outcome of one attempt (after the balancer's `onDone` updated the shared counters)
   * and ejects the target when a detector trips and the cap allows it.
   * @returns the reason when this outcome ejected the target, else undefined
   */
  record (target: Target, outcome: AttemptOutcome, nowMs: number): EjectionReason | undefined {
    const o = this.options
    if (!o.enabled || outcome.aborted === true) return undefined
    const state = this.registry.get(target.id)
    const window = (state.outcomes ??= new SecondCounts())
    if (outcome.ok) {
      window.add(nowMs, 1, 0)
      return undefined
    }
    window.add(nowMs, 0, 1)
    // Failures of attempts sent before the ejection (or in panic mode) do not extend it.
    if (nowMs < state.ejectedUntilMs) return undefined
    const reason = this.trips(state, window, nowMs)
    if (reason === undefined) return undefined
    if (this.ejectedCount(nowMs) >= this.maxEjected) {
      this.refusedByCap++
      return undefined
    }
    this.eject(state, nowMs, reason)
    return reason
  }

  private trips (state: TargetState, window: SecondCounts, nowMs: number): EjectionReason | undefined {
    const o = this.options
    if (o.consecutiveFailures > 0 && state.consecutiveFailures >= o.consecutiveFailures) return 'consecutive-failures'
    if (o.failureRatePercent === 0) return undefined
    const failures = window.sumSecond(nowMs, this.windowSeconds)
    const volume = failures + window.sumFirst(nowMs, this.windowSeconds)
    if (volume >= o.minRequests && failures * 100 >= o.failureRatePercent * volume) return 'failure-rate'
    return undefined
  }

  private eject (state: TargetState, nowMs: number, reason: EjectionReason): void {
    const o = this.options
    // A target that stayed in for maxEjectionMs since its last return starts over at 1×.
    if (nowMs - state.ejectedUntilMs >= o.maxEjectionMs) state.ejections = 0
    state.ejections++
    const lengthMs = Math.min(o.baseEjectionMs * state.ejections, o.maxEjectionMs) + Math.floor(this.random() * o.ejectionJitterMs)
    state.ejectedUntilMs = nowMs + lengthMs
    // Back with a clean slate: old failures must not eject it again on its first answer.
    state.consecutiveFailures = 0
    state.outcomes?.clear()
    if (state.ejectedUntilMs > this.registry.latestEjectionEndMs) this.registry.latestEjectionEndMs = state.ejectedUntilMs
    this.registry.startRamp(state.id, state.ejectedUntilMs)
    this.ejected++
    ejectionsTotal.series(this.serviceId, state.id, reason).inc()
    this.log?.warn({ service: this.serviceId, target: state.id, reason, ejections: state.ejections, ejected_ms: lengthMs }, 'upstream target ejected')
  }
}

function checkInteger (name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`passive health: ${name} must be an integer in ${min}..${max}, got ${value}`)
}

function withoutUndefined<T extends object> (options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>
}
