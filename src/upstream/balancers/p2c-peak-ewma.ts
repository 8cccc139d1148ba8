import { performance } from 'node:perf_hooks'
import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { AttemptOutcome, Balancer, PickInput } from './balancer.js'
import { unseededRandom, type RandomSource } from './random.js'

/** Options of `P2cPeakEwmaBalancer`; every field has a default. */
export interface P2cPeakEwmaOptions {
  /** Time constant τ of the cost's decay, ms, > 0; default 10 000 (Finagle's and Linkerd's). */
  readonly decayMs?: number
  /**
   * Least latency a failed attempt counts as, ms, ≥ 0; default 30 000 (the default read timeout).
   * A target that fails in 1 ms must not look fast: its error is recorded as if it had timed out.
   */
  readonly errorPenaltyMs?: number
  /** Clock in milliseconds, monotonic; default `performance.now`. */
  readonly now?: () => number
  /** Uniform numbers in [0, 1); default a generator seeded from the OS. */
  readonly random?: RandomSource
}

/** Default τ of the cost decay, ms (design-notes part 2, recommendation 1). */
export const DEFAULT_DECAY_MS = 10_000
/** Default least latency of a failed attempt, ms: the default `timeouts.read_ms` of a service. */
export const DEFAULT_ERROR_PENALTY_MS = 30_000
/** Added to every cost so a target with a near-zero cost is not free: c0 in the design notes. */
const BASE_COST_MS = 1
/**
 * Cost of a target with no latency history while a request to it is in flight. Large enough to
 * lose against any measured target (hours), finite so that two unprobed targets still compare by
 * in-flight count. This is the "one probe at a time" rule (Finagle's `Penalty`).
 */
const UNPROBED_COST_MS = 1e9

/**
 * Power of two choices over peak-EWMA cost (Finagle's `P2CPeakEwma`, Linkerd's default), the
 * gateway's default balancer. Each pick draws two distinct random targets and takes the one with
 * the lower load
 *
 *     load = (decayedCost + 1 ms) · (inFlight + 1) / weight
 *
 * where the cost follows latency with the peak rule (see `TargetState.recordCost`) and decays with
 * time constant `decayMs` while no answer comes. A failed attempt counts as a latency of at least
 * `errorPenaltyMs`, so a target that fails fast is not mistaken for a fast one; a target with no
 * history gets one request at a time until its first answer. Two random candidates instead of the
 * global minimum keep many workers, each with its own counts, from herding onto the same target.
 *
 * All state (in-flight, cost) lives in the worker's shared `TargetRegistry`, so a reload keeps it.
 */
export class P2cPeakEwmaBalancer implements Balancer {
  readonly name = 'p2c-peak-ewma'
  private readonly targets: readonly Target[]
  private readonly decayMs: number
  private readonly errorPenaltyMs: number
  private readonly now: () => number
  private readonly random: RandomSource
  /** Eligible indexes when some targets are excluded; reused, never reallocated. */
  private readonly eligible: number[]
  private readonly registry: TargetRegistry

  /**
   * @param targets the service's targets; those with weight 0 are kept out of every pick
   * Throws on a `decayMs` that is not a positive finite number or an `errorPenaltyMs` below 0.
   */
  constructor (targets: readonly Target[], state: TargetRegistry, options: P2cPeakEwmaOptions = {}) {
    const decayMs = options.decayMs ?? DEFAULT_DECAY_MS
    const errorPenaltyMs = options.errorPenaltyMs ?? DEFAULT_ERROR_PENALTY_MS
    if (!(Number.isFinite(decayMs) && decayMs > 0)) throw new Error(`p2c-peak-ewma: decayMs must be a positive number of milliseconds, got ${decayMs}`)
    if (!(Number.isFinite(errorPenaltyMs) && errorPenaltyMs >= 0)) throw new Error(`p2c-peak-ewma: errorPenaltyMs must be a number of milliseconds ≥ 0, got ${errorPenaltyMs}`)
    this.targets = targets.filter((target) => target.weight > 0)
    this.eligible = this.targets.map(() => 0)
    this.decayMs = decayMs
    this.errorPenaltyMs = errorPenaltyMs
    this.now = options.now ?? (() => performance.now())
    this.random = options.random ?? unseededRandom()
    this.registry = state
  }

  /** The less loaded of two distinct random targets not excluded; undefined when none is left. */
  pick (_input: PickInput, exclude?: ReadonlySet<string>): Target | undefined {
    const { targets, eligible } = this
    let count = targets.length
    let useEligible = false
    if (exclude !== undefined && exclude.size > 0) {
      count = 0
      for (let i = 0; i < targets.length; i++) if (!exclude.has((targets[i] as Target).id)) eligible[count++] = i
      useEligible = true
    }
    if (count === 0) return undefined
    if (count === 1) return targets[useEligible ? eligible[0] as number : 0]
    const first = Math.floor(this.random() * count)
    let second = Math.floor(this.random() * (count - 1))
    if (second >= first) second++
    const a = useEligible ? eligible[first] as number : first
    const b = useEligible ? eligible[second] as number : second
    const now = this.now()
    return this.load(b, now) < this.load(a, now) ? targets[b] : targets[a]
  }

  /** Counts the attempt as in flight in the shared state. */
  onSend (target: Target): void {
    this.registry.get(target.id).begin()
  }

  /** Ends the attempt and records its latency (raised to `errorPenaltyMs` on failure) as cost. */
  onDone (target: Target, outcome: AttemptOutcome): void {
    const state = this.registry.get(target.id)
    state.end(outcome)
    const latencyMs = outcome.latencyMs > 0 ? outcome.latencyMs : 0
    const sampleMs = outcome.ok ? latencyMs : Math.max(latencyMs, this.errorPenaltyMs)
    state.recordCost(sampleMs, this.now(), this.decayMs)
  }

  /** `(decayedCost + 1 ms) · (inFlight + 1) / weight` of the target at `index`. */
  private load (index: number, now: number): number {
    const target = this.targets[index] as Target
    // Looked up, not held: see TargetRegistry (prune must never split one target's counts).
    const state = this.registry.peek(target.id)
    if (state === undefined) return BASE_COST_MS / target.weight
    const cost = state.costSamples === 0
      ? (state.inFlight > 0 ? UNPROBED_COST_MS : 0)
      : state.decayedCostMs(now, this.decayMs)
    return (cost + BASE_COST_MS) * (state.inFlight + 1) / target.weight
  }
}
