import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { AttemptOutcome, Balancer, PickInput } from './balancer.js'

/**
 * nginx's smooth weighted round-robin (`ngx_http_upstream_get_peer`): each pick adds every
 * candidate's effective weight to its current weight, takes the largest current weight and
 * subtracts the total from it. Weights 5,1,1 give `a a b a c a a`: shares follow the weights and
 * a heavy target's turns are spread out instead of coming in a burst.
 *
 * As in nginx (with its default `max_fails=1`), a failed attempt drops the target's effective
 * weight to 0 and each later pick gives one unit back, so a failing target's share ramps down at
 * once and recovers over `weight` picks. Weight 0 targets are never picked.
 *
 * The current and effective weights belong to this balancer (one service, one config version);
 * in-flight and outcome counters go to the worker's shared `TargetRegistry`.
 */
export class RoundRobinBalancer implements Balancer {
  readonly name = 'round-robin'
  private readonly targets: readonly Target[]
  private readonly weights: number[]
  private readonly effective: number[]
  private readonly current: number[]
  private readonly indexById = new Map<string, number>()
  private readonly state: TargetRegistry

  /** @param targets the service's targets; those with weight 0 are kept out of every pick */
  constructor (targets: readonly Target[], state: TargetRegistry) {
    this.targets = targets.filter((target) => target.weight > 0)
    this.weights = this.targets.map((target) => target.weight)
    this.effective = [...this.weights]
    this.current = this.targets.map(() => 0)
    this.targets.forEach((target, index) => this.indexById.set(target.id, index))
    this.state = state
  }

  /** The next target in the smooth sequence among those not excluded; undefined when none is left. */
  pick (_input: PickInput, exclude?: ReadonlySet<string>): Target | undefined {
    const { targets, weights, effective, current } = this
    let best = -1
    let total = 0
    for (let i = 0; i < targets.length; i++) {
      if (exclude !== undefined && exclude.size > 0 && exclude.has((targets[i] as Target).id)) continue
      const weight = effective[i] as number
      current[i] = (current[i] as number) + weight
      total += weight
      if (weight < (weights[i] as number)) effective[i] = weight + 1
      if (best < 0 || (current[i] as number) > (current[best] as number)) best = i
    }
    if (best < 0) return undefined
    current[best] = (current[best] as number) - total
    return targets[best]
  }

  /** Counts the attempt as in flight in the shared state. */
  onSend (target: Target): void {
    this.state.get(target.id).begin()
  }

  /** Ends the attempt in the shared state; a failure also zeroes this balancer's effective weight of the target. */
  onDone (target: Target, outcome: AttemptOutcome): void {
    this.state.get(target.id).end(outcome)
    if (outcome.ok) return
    const index = this.indexById.get(target.id)
    if (index !== undefined) this.effective[index] = 0
  }
}
