import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { AttemptOutcome, Balancer, PickInput } from './balancer.js'

/**
 * The original gateway's rule: send each call to the target with the fewest calls in flight
 * (+1 on send, −1 on response or error), in-flight divided by weight, so a target of weight 2
 * carries twice the in-flight calls of one of weight 1 before it stops being the least loaded.
 *
 * Ties are broken by smooth weighted round-robin among the tied targets, not by list order. At low
 * concurrency every target is idle, so every score is 0: a "first lowest wins" rule would send all
 * sequential traffic to the first target, and APISIX's `(inFlight + 1) / weight` score sends it all
 * to the heaviest one (apache/apisix#7088, #9325). Rotating among the tied keeps idle-time shares
 * equal to the weights and loaded-time shares equal to what in-flight counts say.
 *
 * Known failure, kept on purpose for parity: a target that fails fast always looks idle and
 * attracts most of the traffic (design-notes part 2.2, scenario A: 87 %). `p2c-peak-ewma` is the
 * default for that reason.
 *
 * In-flight counts live in the worker's shared `TargetRegistry`, so they survive config reloads;
 * only the tie-break rotation (`current`) belongs to this balancer.
 */
export class LeastConnectionsBalancer implements Balancer {
  readonly name = 'least-connections'
  private readonly targets: readonly Target[]
  private readonly current: number[]
  /** Indexes of the targets tied at the lowest score during one pick; reused, never reallocated. */
  private readonly tied: number[]
  private readonly state: TargetRegistry

  /** @param targets the service's targets; those with weight 0 are kept out of every pick */
  constructor (targets: readonly Target[], state: TargetRegistry) {
    this.targets = targets.filter((target) => target.weight > 0)
    this.current = this.targets.map(() => 0)
    this.tied = this.targets.map(() => 0)
    this.state = state
  }

  /**
   * The target with the lowest `inFlight / weight` among those not excluded; ties go round-robin,
   * weighted. Undefined when no target is left.
   */
  pick (_input: PickInput, exclude?: ReadonlySet<string>): Target | undefined {
    const { targets, tied, state } = this
    const checkExclude = exclude !== undefined && exclude.size > 0
    let tiedCount = 0
    // The best score as a fraction bestLoad / bestWeight, compared by cross-multiplication: exact
    // for integer counts and weights, where floating-point division could split a real tie.
    let bestLoad = 0
    let bestWeight = 0
    for (let i = 0; i < targets.length; i++) {
      const target = targets[i] as Target
      if (checkExclude && exclude.has(target.id)) continue
      const load = state.peek(target.id)?.inFlight ?? 0
      if (tiedCount > 0) {
        const order = load * bestWeight - bestLoad * target.weight
        if (order > 0) continue
        if (order < 0) tiedCount = 0
      }
      if (tiedCount === 0) {
        bestLoad = load
        bestWeight = target.weight
      }
      tied[tiedCount++] = i
    }
    if (tiedCount === 0) return undefined
    if (tiedCount === 1) return targets[tied[0] as number]
    return targets[this.rotate(tiedCount)]
  }

  /** Counts the attempt as in flight in the shared state. */
  onSend (target: Target): void {
    this.state.get(target.id).begin()
  }

  /** Ends the attempt in the shared state, whatever the outcome (the original rule). */
  onDone (target: Target, outcome: AttemptOutcome): void {
    this.state.get(target.id).end(outcome)
  }

  /** One step of smooth weighted round-robin (nginx) over the first `count` entries of `tied`. */
  private rotate (count: number): number {
    const { targets, tied, current } = this
    let total = 0
    let best = -1
    for (let k = 0; k < count; k++) {
      const i = tied[k] as number
      const weight = (targets[i] as Target).weight
      current[i] = (current[i] as number) + weight
      total += weight
      if (best < 0 || (current[i] as number) > (current[best] as number)) best = i
    }
    current[best] = (current[best] as number) - total
    return best
  }
}
