import type { TargetRegistry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { AttemptOutcome, Balancer, PickInput } from './balancer.js'
import { hash32 } from './hash.js'

/** What a request is hashed on. */
export const HASH_ON = ['ip', 'merchant', 'header', 'path'] as const
/** One of `HASH_ON`. */
export type HashOn = typeof HASH_ON[number]

/** Options of `ConsistentHashBalancer`. */
export interface ConsistentHashOptions {
  /**
   * The request's key: `ip` the client IP, `merchant` the identified merchant's id, `header` the
   * value of `hashHeader`, `path` the request path (no query). Default `ip`. A request without the
   * key (no merchant identified, header absent) is hashed on its client IP instead.
   */
  readonly hashOn?: HashOn
  /** Header name for `hashOn: 'header'` (any case); required then, refused otherwise. */
  readonly hashHeader?: string
}

/**
 * Ring points of the lightest target. 160 per target is ketama's figure: the spread of shares
 * between equal targets is then about 1/√160 ≈ 8 %.
 */
const POINTS_PER_LIGHTEST = 160
/** Cap on the ring size (memory, build time): 64 Ki points, 512 KiB; reached only with weight ratios past ~400. */
const MAX_RING_POINTS = 65_536

/**
 * Consistent hashing on a ring with virtual nodes (ketama): target `t` owns the points
 * `hash32("<t.id>#<j>")` for `j < points(t)`, a key goes to the owner of the first point at or after
 * `hash32(key)`, wrapping round. A target's points depend only on its own id and weight (and the
 * lightest weight in the service), so when a target joins, only the keys landing on its new points
 * move (about 1/(N+1) of them for equal weights), all to it; when one leaves, only its own keys
 * move. Points per target: `round(160 · weight / lightest weight)`, scaled down if the ring would
 * pass 65 536 points.
 *
 * An excluded target falls through to the owner of the next point on the ring that is not
 * excluded, so a retry of the same key also lands on a stable second choice.
 *
 * Stateless per request: in-flight and outcome counters go to the shared `TargetRegistry` only so
 * that every balancer counts alike.
 */
export class ConsistentHashBalancer implements Balancer {
  readonly name = 'consistent-hash'
  private readonly targets: readonly Target[]
  /** Sorted point hashes. */
  private readonly points: Uint32Array
  /** `owners[k]`: index in `targets` of the target owning `points[k]`. */
  private readonly owners: Uint32Array
  private readonly hashOn: HashOn
  private readonly hashHeader: string
  private readonly state: TargetRegistry

  /**
   * @param targets the service's targets; those with weight 0 get no points and are never picked
   * Throws on an unknown `hashOn`, on `hashOn: 'header'` without `hashHeader`, and on `hashHeader`
   * given with another `hashOn`.
   */
  constructor (targets: readonly Target[], state: TargetRegistry, options: ConsistentHashOptions = {}) {
    const hashOn = options.hashOn ?? 'ip'
    if (!HASH_ON.includes(hashOn)) throw new Error(`consistent-hash: hashOn must be one of ${HASH_ON.join(', ')}, got ${JSON.stringify(hashOn)}`)
    if (hashOn === 'header' && (options.hashHeader === undefined || options.hashHeader === '')) throw new Error("consistent-hash: hashOn 'header' needs hashHeader")
    if (hashOn !== 'header' && options.hashHeader !== undefined) throw new Error(`consistent-hash: hashHeader is only used with hashOn 'header', got hashOn '${hashOn}'`)
    this.hashOn = hashOn
    this.hashHeader = (options.hashHeader ?? '').toLowerCase()
    this.targets = targets.filter((target) => target.weight > 0)
    this.state = state
    const ring = buildRing(this.targets)
    this.points = ring.points
    this.owners = ring.owners
  }

  /** The owner of the key's ring position, or of the next point whose owner is not excluded. */
  pick (input: PickInput, exclude?: ReadonlySet<string>): Target | undefined {
    const { points, owners, targets } = this
    if (points.length === 0) return undefined
    let k = lowerBound(points, hash32(this.keyOf(input)))
    if (exclude === undefined || exclude.size === 0) return targets[owners[k === points.length ? 0 : k] as number]
    for (let step = 0; step < points.length; step++, k++) {
      if (k === points.length) k = 0
      const target = targets[owners[k] as number] as Target
      if (!exclude.has(target.id)) return target
    }
    return undefined
  }

  /** Counts the attempt as in flight in the shared state. */
  onSend (target: Target): void {
    this.state.get(target.id).begin()
  }

  /** Ends the attempt in the shared state. */
  onDone (target: Target, outcome: AttemptOutcome): void {
    this.state.get(target.id).end(outcome)
  }

  private keyOf (input: PickInput): string {
    switch (this.hashOn) {
      case 'ip':
        return input.clientIp
      case 'merchant':
        return input.merchantId ?? input.clientIp
      case 'header':
        return input.header(this.hashHeader) ?? input.clientIp
      case 'path':
        return input.path
    }
  }
}

/** The ring of `targets` (all of weight > 0): point hashes sorted, with their owners. */
function buildRing (targets: readonly Target[]): { points: Uint32Array, owners: Uint32Array } {
  if (targets.length === 0) return { points: new Uint32Array(0), owners: new Uint32Array(0) }
  const lightest = Math.min(...targets.map((target) => target.weight))
  const totalWeight = targets.reduce((sum, target) => sum + target.weight, 0)
  const scale = Math.min(POINTS_PER_LIGHTEST / lightest, MAX_RING_POINTS / totalWeight)
  const entries: Array<{ hash: number, owner: number }> = []
  targets.forEach((target, owner) => {
    const count = Math.max(1, Math.round(target.weight * scale))
    for (let j = 0; j < count; j++) entries.push({ hash: hash32(`${target.id}#${j}`), owner })
  })
  // Ties on a hash (rare) break by target id, so the ring does not depend on the config's order.
  entries.sort((x, y) => x.hash - y.hash || compareIds((targets[x.owner] as Target).id, (targets[y.owner] as Target).id))
  return { points: Uint32Array.from(entries, (e) => e.hash), owners: Uint32Array.from(entries, (e) => e.owner) }
}

function compareIds (a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0
}

/** Index of the first element of `sorted` ≥ `value`; `sorted.length` when there is none. */
function lowerBound (sorted: Uint32Array, value: number): number {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const mid = (low + high) >>> 1
    if ((sorted[mid] as number) < value) low = mid + 1
    else high = mid
  }
  return low
}
