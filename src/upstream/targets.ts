import type { AttemptOutcome } from './balancers/balancer.js'
import { SecondCounts } from './health/second-counts.js'
import type { Target } from './transport/transport.js'

/** A target as the config describes it. */
export interface TargetEntry {
  readonly host: string
  /** 1..65535. */
  readonly port: number
  /** Relative share of requests, a non-negative integer; 0 means never picked. */
  readonly weight: number
}

/**
 * The id of a target: `host:port`, with an IPv6 literal in brackets (`[::1]:8080`) so that the
 * port stays unambiguous.
 */
export function targetId (host: string, port: number): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]:${port}` : `${host}:${port}`
}

/**
 * Builds the frozen `Target` objects of a service from its config entries, in config order.
 * Throws (misuse by code; config validation refuses these first) on an empty host, a port outside
 * 1..65535, a weight that is not a non-negative integer, or two entries with the same id.
 */
export function toTargets (entries: readonly TargetEntry[]): Target[] {
  const seen = new Set<string>()
  return entries.map((entry) => {
    const { host, port, weight } = entry
    if (typeof host !== 'string' || host === '') throw new Error('targets: host must be a non-empty string')
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`targets: ${host}: port must be an integer in 1..65535, got ${port}`)
    const id = targetId(host, port)
    if (!Number.isInteger(weight) || weight < 0) throw new Error(`targets: ${id}: weight must be a non-negative integer, got ${weight}`)
    if (seen.has(id)) throw new Error(`targets: ${id} is listed twice`)
    seen.add(id)
    return Object.freeze({ id, host, port, weight })
  })
}

/**
 * Counters of one target in one worker, shared by every balancer that lists it and kept across
 * config reloads: a request still in flight on the old config's balancer ends on this same object.
 * Balancers update it only through `begin` and `end`, so every balancer counts alike.
 */
export class TargetState {
  /** `host:port`. */
  readonly id: string
  /** Attempts started and not yet ended. */
  inFlight = 0
  /** Attempts started, ever. */
  sent = 0
  /** Attempts that ended with `ok: true`. */
  succeeded = 0
  /** Attempts that ended with `ok: false`. */
  failed = 0
  /** Failures since the last success; reset by a success. */
  consecutiveFailures = 0
  /** `end` calls that found no attempt in flight: a caller bug (onDone twice), counted not hidden. */
  unmatchedEnds = 0
  /**
   * Peak-EWMA latency cost in milliseconds as of `costAtMs` (0 until the first sample); read it
   * through `decayedCostMs`. Kept here, not in a balancer, so a reload keeps what was learnt.
   */
  costMs = 0
  /** Clock reading (ms, the balancer's clock) of the last cost sample. */
  costAtMs = 0
  /** Cost samples recorded, ever: 0 means the target has no latency history yet. */
  costSamples = 0
  /**
   * Passive health (`health/outlier.ts`): the target is ejected while the clock (ms) is below
   * this; `-Infinity` when it never was.
   */
  ejectedUntilMs = -Infinity
  /** Ejections that count towards the next one's length (30 s × this); reset after a long healthy stretch. */
  ejections = 0
  /**
   * Start (clock ms) of the target's slow-start ramp (`health/slow-start.ts`): when it joined a
   * running service or came back from ejection; `-Infinity` for no ramp.
   */
  rampFromMs = -Infinity
  /** Successes and failures per second over the last minute, for the failure-rate detector; made on first use. */
  outcomes: SecondCounts | undefined = undefined
  /**
   * Active health (`active-health/`): ids of the services whose checks in the primary found this
   * target down; the target is down while any does. Empty: up (or not checked).
   */
  readonly downFor = new Set<string>()

  constructor (id: string) {
    this.id = id
  }

  /** An attempt to this target starts (the balancer's `onSend`). */
  begin (): void {
    this.inFlight++
    this.sent++
  }

  /**
   * An attempt ends (the balancer's `onDone`): must follow exactly one `begin`. An attempt the
   * client aborted counts as succeeded (as before) but leaves `consecutiveFailures` alone: it says
   * nothing about the target's health.
   */
  end (outcome: AttemptOutcome): void {
    // Never below zero: a double onDone must not make a target look emptier than idle for ever.
    if (this.inFlight > 0) this.inFlight--
    else this.unmatchedEnds++
    if (outcome.aborted === true) {
      this.succeeded++
    } else if (outcome.ok) {
      this.succeeded++
      this.consecutiveFailures = 0
    } else {
      this.failed++
      this.consecutiveFailures++
    }
  }

  /**
   * The cost decayed to `nowMs`: `costMs · e^(−(nowMs − costAtMs) / decayMs)`, so a target that
   * stopped being picked after a slow or failed answer looks cheaper again as time passes.
   * @param decayMs the time constant τ in milliseconds (> 0)
   */
  decayedCostMs (nowMs: number, decayMs: number): number {
    const elapsedMs = nowMs - this.costAtMs
    return elapsedMs > 0 ? this.costMs * Math.exp(-elapsedMs / decayMs) : this.costMs
  }

  /**
   * Records one latency sample with the peak-EWMA rule (Finagle's `PeakEwma`): a sample above the
   * current (decayed) cost replaces it at once, so a slowdown is seen on its first request; a lower
   * one is blended in with weight `1 − e^(−Δt/τ)`, so recovery is believed only gradually.
   * @param sampleMs the latency to record, ms (errors arrive here already raised to the penalty)
   * @param nowMs the clock reading now, ms
   * @param decayMs the time constant τ in milliseconds (> 0)
   */
  recordCost (sampleMs: number, nowMs: number, decayMs: number): void {
    const current = this.decayedCostMs(nowMs, decayMs)
    if (this.costSamples === 0 || sampleMs > current) {
      this.costMs = sampleMs
    } else {
      const elapsedMs = nowMs - this.costAtMs
      const keep = elapsedMs > 0 ? Math.exp(-elapsedMs / decayMs) : 1
      // `current` already holds cost·keep; the new sample fills the part that decayed away.
      this.costMs = current + sampleMs * (1 - keep)
    }
    if (nowMs > this.costAtMs) this.costAtMs = nowMs
    this.costSamples++
  }
}

/**
 * The per-target state of one worker, keyed by target id. One instance lives as long as the
 * worker; each config version's balancers are built against it. Balancers look a state up on
 * each `onSend`/`onDone` instead of keeping it, so `prune` can never split one target's counts
 * between two objects.
 */
export class TargetRegistry {
  private readonly states = new Map<string, TargetState>()
  /** The target ids of each service of the running config, for `enrol`. */
  private members = new Map<string, ReadonlySet<string>>()
  /**
   * The latest `ejectedUntilMs` and `rampFromMs` any target got (clock ms): while the clock is past
   * both (plus a service's slow-start window) no target can be ejected or ramping, so a pick needs
   * no per-target health check. Only ever raised.
   */
  latestEjectionEndMs = -Infinity
  latestRampStartMs = -Infinity
  /** Targets an active check found down: while any is, picks take the checked path. */
  readonly down = new Set<string>()

  /** The state of `id`, created (all counters 0) on first use. */
  get (id: string): TargetState {
    let state = this.states.get(id)
    if (state === undefined) this.states.set(id, (state = new TargetState(id)))
    return state
  }

  /** The state of `id` if it exists; never creates one. */
  peek (id: string): TargetState | undefined {
    return this.states.get(id)
  }

  /**
   * Records the target ids each service lists in the config now in use (replacing the previous
   * record) and returns the ids that joined a service that was already running and that no
   * service listed before: those get slow start. A new service's targets, the first config's, and
   * a target moved from another service (already warm) are not joiners.
   */
  enrol (services: ReadonlyMap<string, readonly string[]>): Set<string> {
    const joined = new Set<string>()
    const before = this.members
    const knownBefore = new Set<string>()
    for (const ids of before.values()) for (const id of ids) knownBefore.add(id)
    const next = new Map<string, ReadonlySet<string>>()
    for (const [serviceId, ids] of services) {
      next.set(serviceId, new Set(ids))
      if (!before.has(serviceId)) continue
      for (const id of ids) if (!knownBefore.has(id)) joined.add(id)
    }
    this.members = next
    return joined
  }

  /**
   * Records new target ids for one service, the others unchanged (the addresses of a name changed
   * after a DNS refresh); returns the joiners, as `enrol` does.
   */
  enrolService (serviceId: string, ids: readonly string[]): Set<string> {
    const services = new Map<string, readonly string[]>()
    for (const [id, members] of this.members) services.set(id, [...members])
    services.set(serviceId, ids)
    return this.enrol(services)
  }

  /** Every target id some service of the running config lists now. */
  listedIds (): Set<string> {
    const ids = new Set<string>()
    for (const members of this.members.values()) for (const id of members) ids.add(id)
    return ids
  }

  /** Starts the slow-start ramp of `id` at `nowMs` (clock ms). */
  startRamp (id: string, nowMs: number): void {
    this.get(id).rampFromMs = nowMs
    if (nowMs > this.latestRampStartMs) this.latestRampStartMs = nowMs
  }

  /**
   * Applies an active health verdict of the primary for `id` as checked by `serviceId`'s checks.
   * A target found up again after being down starts its slow-start ramp at `nowMs`.
   * @returns true when the target's up/down state changed
   */
  setActiveHealth (id: string, serviceId: string, healthy: boolean, nowMs: number): boolean {
    const state = this.get(id)
    const wasDown = state.downFor.size > 0
    if (healthy) state.downFor.delete(serviceId)
    else state.downFor.add(serviceId)
    const isDown = state.downFor.size > 0
    if (isDown) this.down.add(id)
    else this.down.delete(id)
    if (wasDown && !isDown) this.startRamp(id, nowMs)
    return wasDown !== isDown
  }

  /** Every target state, in no particular order. */
  all (): IterableIterator<TargetState> {
    return this.states.values()
  }

  /** How many targets have state. */
  get size (): number {
    return this.states.size
  }

  /**
   * Forgets the targets that no current service lists (`liveIds`) and that have nothing in
   * flight, so a worker's memory does not grow with every target it ever saw. A target removed
   * from the config keeps its state until its last attempt ends and the next prune runs.
   * @returns the number of states removed
   */
  prune (liveIds: Iterable<string>): number {
    const live = new Set(liveIds)
    let removed = 0
    for (const [id, state] of this.states) {
      if (live.has(id) || state.inFlight > 0) continue
      this.states.delete(id)
      this.down.delete(id)
      removed++
    }
    return removed
  }
}
