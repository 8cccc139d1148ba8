/**
 * A closed-loop load simulation on a fake clock, for balancer tests (design-notes part 2.2 ran the
 * same model): `callers` clients each send a request, wait for its answer and send the next, until
 * `requests` have been sent. Every target answers after a latency drawn from its own model, with
 * success or failure. Time and randomness are injected, so a run is exactly reproducible.
 */
import { HealthAwareBalancer, type HealthOptions } from '../../health/health-aware-balancer.js'
import { TargetRegistry, toTargets } from '../../targets.js'
import type { Target } from '../../transport/transport.js'
import type { PickInput } from '../balancer.js'
import { seededRandom, type RandomSource } from '../random.js'
import { createBalancer, type BalancerOptions } from '../registry.js'

/** How one simulated backend answers. */
export interface SimulatedBackend {
  readonly host: string
  readonly weight?: number
  /** Mean latency in ms; each answer takes an exponentially distributed time around it. */
  readonly meanMs: number
  /** Probability that an answer is a failure (connect error, 503, ...); default 0. */
  readonly failureRate?: number
}

/** What a run measured. */
export interface SimulationResult {
  /** Requests per backend host, in the order given. */
  readonly counts: number[]
  /** `counts` as fractions of all requests. */
  readonly shares: number[]
  /** Failed answers over all requests. */
  readonly errorRate: number
  /** In-flight count of every target in the registry after the run (all 0 when every attempt ended). */
  readonly inFlightAfter: number[]
  readonly registry: TargetRegistry
}

export interface SimulationOptions {
  readonly balancer: string
  readonly backends: readonly SimulatedBackend[]
  readonly callers: number
  readonly requests: number
  readonly seed?: number
  readonly balancerOptions?: BalancerOptions
  /** Passive health in front of the balancer (ejection, panic, slow start), on the same fake clock; default none. */
  readonly health?: HealthOptions
}

const INPUT: PickInput = { merchantId: undefined, clientIp: '127.0.0.1', path: '/', header: () => undefined }

/** Runs the simulation to the end (every request answered) and reports the shares. */
export function simulate (options: SimulationOptions): SimulationResult {
  const random: RandomSource = seededRandom(options.seed ?? 1)
  let nowMs = 0
  const registry = new TargetRegistry()
  const targets = toTargets(options.backends.map((b) => ({ host: b.host, port: 80, weight: b.weight ?? 1 })))
  const inner = createBalancer(options.balancer, targets, registry, {
    now: () => nowMs, random: seededRandom((options.seed ?? 1) + 1), ...options.balancerOptions
  })
  const balancer = options.health === undefined
    ? inner
    : new HealthAwareBalancer(inner, targets, registry, { now: () => nowMs, random: seededRandom((options.seed ?? 1) + 2), ...options.health })
  const indexOf = new Map(targets.map((t, i) => [t.id, i]))
  const counts = targets.map(() => 0)
  // One pending answer per caller: [time it arrives, target, its latency, ok]. A handful of callers, so a scan beats a heap.
  const pending: Array<{ atMs: number, target: Target, latencyMs: number, ok: boolean }> = []
  let sent = 0
  let failures = 0
  const send = (): void => {
    const target = balancer.pick(INPUT)
    if (target === undefined) throw new Error('simulate: no target picked')
    const backend = options.backends[indexOf.get(target.id) as number] as SimulatedBackend
    const ok = random() >= (backend.failureRate ?? 0)
    // Exponential service time; a failure answers at once (1 ms), the fast-failing black hole.
    const latencyMs = ok ? -backend.meanMs * Math.log(1 - random()) : 1
    balancer.onSend(target)
    counts[indexOf.get(target.id) as number]!++
    pending.push({ atMs: nowMs + latencyMs, target, latencyMs, ok })
    sent++
  }
  for (let c = 0; c < options.callers && sent < options.requests; c++) send()
  while (pending.length > 0) {
    let next = 0
    for (let k = 1; k < pending.length; k++) if (pending[k]!.atMs < pending[next]!.atMs) next = k
    const answer = pending[next]!
    pending[next] = pending[pending.length - 1]!
    pending.pop()
    nowMs = answer.atMs
    if (!answer.ok) failures++
    balancer.onDone(answer.target, { latencyMs: answer.latencyMs, ok: answer.ok })
    if (sent < options.requests) send()
  }
  return {
    counts,
    shares: counts.map((n) => n / sent),
    errorRate: failures / sent,
    inFlightAfter: targets.map((t) => registry.peek(t.id)?.inFlight ?? 0),
    registry
  }
}

/** `12.3/45.6/...%`: shares for a test's output. */
export function formatShares (shares: readonly number[]): string {
  return shares.map((s) => (s * 100).toFixed(1)).join('/') + ' %'
}
