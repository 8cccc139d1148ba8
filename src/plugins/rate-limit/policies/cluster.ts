import { createHash } from 'node:crypto'
import type { RedisHandle } from '../../../kit/redis.js'
import { redisUsable } from '../../_shared/redis-first-ready.js'
import { clusterLinkFor, clusterPolicyStats, type ClusterLink } from './cluster-link.js'
import { MAX_LEASE } from './lease-script.js'
import type { LimitSpec, RateLimitOutcome, RateLimitPolicy, RateLimitPolicyOptions } from './policy.js'
import { ceilSeconds, refusedOutcome, slidingWaitMs } from './window-math.js'

export { clusterPolicyStats } from './cluster-link.js'

/** A refused key is blocked at least this long, so a wait computed as zero cannot spin on Redis. */
const MIN_BLOCK_MS = 100
/** How often idle keys are dropped from a table. */
const SWEEP_EVERY_MS = 10_000
/** Extra life of a Redis counter past its window, for nodes whose clocks lag. */
const COUNTER_GRACE_MS = 60_000

/** One key's leased tokens in this worker, per limit (arrays indexed like the binding's limits). */
interface KeyLease {
  /** The Redis hash tag of the key's counters: `{scope:key}`, one Cluster slot for all its limits. */
  readonly tag: string
  /** Window index the tokens and `remoteLeft` belong to. */
  readonly windows: number[]
  /** Leased tokens not spent yet; each admits one request. */
  readonly tokens: number[]
  /** What Redis had left after this worker's last lease (the basis of `RateLimit-Remaining`). */
  readonly remoteLeft: number[]
  /** At or under this many tokens the next lease is asked for ahead, while requests still spend. */
  readonly refillAt: number[]
  /** The fallback's own fixed-window counts while Redis is unreachable. */
  readonly fallbackWindows: number[]
  readonly fallbackCounts: number[]
  /** Fallback admissions of the current fallback window not yet charged to the Redis counter. */
  readonly fallbackUncharged: number[]
  /** Refused by Redis: answered locally, without a call, until this time. */
  blockedUntilMs: number
  blockedLimit: number
  /** The lease call in flight (single-flight per key per worker). */
  pending: Promise<void> | undefined
}

/** The leases of one scope, shared by the config versions that have it (like the local tables). */
interface LeaseTable {
  readonly leases: Map<string, KeyLease>
  refs: number
  nextSweepMs: number
}

const tables = new Map<string, LeaseTable>()

function newLease (tag: string, count: number): KeyLease {
  return {
    tag,
    windows: new Array<number>(count).fill(-1),
    tokens: new Array<number>(count).fill(0),
    remoteLeft: new Array<number>(count).fill(0),
    refillAt: new Array<number>(count).fill(0),
    fallbackWindows: new Array<number>(count).fill(-1),
    fallbackCounts: new Array<number>(count).fill(0),
    fallbackUncharged: new Array<number>(count).fill(0),
    blockedUntilMs: 0,
    blockedLimit: 0,
    pending: undefined
  }
}

/**
 * The cluster policy (DESIGN.md §8): exact across workers and nodes, with Redis off most requests.
 *
 * Each worker leases batches of tokens per key from a Lua script (see lease-script.ts) and admits
 * requests from them locally; a counter in Redis holds every token handed out in its window, and
 * the script never hands out more than the limit, so the cluster never admits more than the limit
 * per window. Leases shrink with what is left (`clamp(floor(left / (4 · live workers)), 1, 100)`),
 * so near the limit a worker holds a token or two. Unspent tokens expire with their window (the
 * cluster under-admits by what other workers still hold when a key runs out) and are given back
 * on drain and when a binding is retired.
 *
 * A key Redis refused is blocked here until it has room again (the window's end, or the sliding
 * estimate's decay): no Redis call per refused request. The first request of a key waits for one
 * lease call (others of that key wait on the same call); a call never waits longer than the
 * connection's command timeout. While Redis is unreachable each worker first spends the tokens it
 * holds, then admits its share of what the cluster had left when it last heard from Redis in this
 * window (of the whole limit when it never did): `floor(left / (live nodes × live workers of its
 * node))`, from the last heartbeat, so a short outage in a busy window does not hand out the limit
 * again. What the fallback admitted is charged to the Redis counter with the next lease, so the
 * rest of the window knows of it.
 */
export function createClusterPolicy (options: RateLimitPolicyOptions): RateLimitPolicy {
  const { limits, scope } = options
  const redis = options.redis as RedisHandle
  const link = clusterLinkFor(redis, options.log)
  const scopeId = createHash('sha256').update(scope).digest('hex').slice(0, 16)
  const keyPrefix = `${redis.keyPrefix}rl:`
  let table = tables.get(scope)
  if (table === undefined) {
    table = { leases: new Map(), refs: 0, nextSweepMs: options.nowMs + SWEEP_EVERY_MS }
    tables.set(scope, table)
  }
  table.refs++
  link.acquire()
  const held = table
  const unsubscribe = options.onDrain(() => drain(held, limits, keyPrefix, link))
  let released = false

  function take (key: string, nowMs: number): RateLimitOutcome | Promise<RateLimitOutcome> {
    if (nowMs >= held.nextSweepMs) sweep(held, limits, nowMs)
    let lease = held.leases.get(key)
    if (lease === undefined) {
      lease = newLease(`{${scopeId}:${key}}`, limits.length)
      held.leases.set(key, lease)
    }
    if (lease.blockedUntilMs > nowMs) {
      clusterPolicyStats.refusedWhileBlocked++
      return refusedOutcome((limits[lease.blockedLimit] as LimitSpec).limit, lease.blockedUntilMs - nowMs)
    }
    if (rollWindows(lease, limits, nowMs) === 0) {
      const outcome = spend(lease, limits, nowMs)
      if (lease.pending === undefined && needsRefill(lease) && link.usable(nowMs)) {
        // Leased ahead: under steady load the key never runs dry, so no request waits for Redis.
        lease.pending = leaseTokens(link, keyPrefix, lease, limits, nowMs)
      }
      return outcome
    }
    const inFlight = lease.pending
    if (inFlight !== undefined) return inFlight.then(() => take(key, nowMs))
    if (!link.usable(nowMs)) return withoutLease(key, lease, nowMs)
    const call = leaseTokens(link, keyPrefix, lease, limits, nowMs)
    lease.pending = call
    return call.then(() => take(key, nowMs))
  }

  /**
   * No lease call now: within a second of a failed call, or the connection is down. A connection
   * still opening for the first time (a worker's first requests) is waited for, at most the
   * command timeout; a connection that was up before is an outage, and the fallback answers.
   */
  function withoutLease (key: string, lease: KeyLease, nowMs: number): RateLimitOutcome | Promise<RateLimitOutcome> {
    if (redis.ready()) return fallback(lease, limits, nowMs)
    const usable = redisUsable(redis)
    if (usable === true) return take(key, nowMs)
    if (usable === false) {
      link.enterOutage()
      return fallback(lease, limits, nowMs)
    }
    return usable.then((ok) => {
      if (ok) return take(key, nowMs)
      link.enterOutage()
      return fallback(lease, limits, nowMs)
    })
  }

  function release (): void {
    if (released) return
    released = true
    unsubscribe()
    if (--held.refs === 0) {
      tables.delete(scope)
      void giveBack(held, limits, keyPrefix, link)
    }
    link.release()
  }

  return { take, release }
}

/** Moves each limit of `lease` into the window of `nowMs` (tokens of a past window are void); returns how many limits have no token. */
function rollWindows (lease: KeyLease, limits: readonly LimitSpec[], nowMs: number): number {
  let missing = 0
  for (let i = 0; i < limits.length; i++) {
    const spec = limits[i] as LimitSpec
    const window = spec.clock.index(nowMs)
    if ((lease.windows[i] as number) < window) {
      lease.windows[i] = window
      lease.tokens[i] = 0
      lease.refillAt[i] = 0
      lease.remoteLeft[i] = spec.limit
    }
    if (lease.tokens[i] === 0) missing++
  }
  return missing
}

/** True when a limit's tokens are down to its refill mark (only large leases have one above zero). */
function needsRefill (lease: KeyLease): boolean {
  for (let i = 0; i < lease.tokens.length; i++) {
    if ((lease.tokens[i] as number) <= (lease.refillAt[i] as number)) return true
  }
  return false
}

/** Admits from leased tokens: one of each limit. Remaining is what Redis had left plus what this worker still holds. */
function spend (lease: KeyLease, limits: readonly LimitSpec[], nowMs: number): RateLimitOutcome {
  let tightest = 0
  let tightestRemaining = Infinity
  for (let i = 0; i < limits.length; i++) {
    const tokens = (lease.tokens[i] as number) - 1
    lease.tokens[i] = tokens
    const remaining = (lease.remoteLeft[i] as number) + tokens
    if (remaining < tightestRemaining) {
      tightest = i
      tightestRemaining = remaining
    }
  }
  const spec = limits[tightest] as LimitSpec
  const resetMs = spec.clock.endMs(lease.windows[tightest] as number) - nowMs
  return { allowed: true, limit: spec.limit, remaining: Math.max(0, tightestRemaining), resetSeconds: ceilSeconds(resetMs), retryAfterSeconds: 0 }
}

/** The Redis counter of limit `i` in `window`. */
function counterKey (keyPrefix: string, lease: KeyLease, i: number, window: number): string {
  return `${keyPrefix}${lease.tag}:${i}:${window}`
}

/** One lease call for the limits of `lease` that have no token; applies its answer. Never rejects. */
async function leaseTokens (link: ClusterLink, keyPrefix: string, lease: KeyLease, limits: readonly LimitSpec[], nowMs: number): Promise<void> {
  const windows = lease.windows.slice()
  const keys: string[] = []
  const args: number[] = [limits.length, clusterPolicyStats.liveWorkers, MAX_LEASE]
  const charges: number[] = []
  for (let i = 0; i < limits.length; i++) {
    const spec = limits[i] as LimitSpec
    const window = windows[i] as number
    const startMs = spec.clock.startMs(window)
    const endMs = spec.clock.endMs(window)
    const weight = spec.sliding ? 1 - Math.min(1, Math.max(0, (nowMs - startMs) / (endMs - startMs))) : 0
    keys.push(counterKey(keyPrefix, lease, i, window), counterKey(keyPrefix, lease, i, window - 1))
    const ttlMs = Math.max(1000, endMs - nowMs + (spec.sliding ? endMs - startMs : 0) + COUNTER_GRACE_MS)
    const charge = lease.fallbackWindows[i] === window ? lease.fallbackUncharged[i] as number : 0
    charges.push(charge)
    args.push(spec.limit, (lease.tokens[i] as number) <= (lease.refillAt[i] as number) ? 1 : 0, weight, Math.ceil(ttlMs), charge)
  }
  clusterPolicyStats.leaseCalls++
  try {
    const reply = await link.commands.tgRateLease(keys.length, ...keys, ...args)
    link.answered()
    for (let i = 0; i < limits.length; i++) lease.fallbackUncharged[i] = (lease.fallbackUncharged[i] as number) - (charges[i] as number)
    applyLease(lease, limits, windows, reply, nowMs)
  } catch (error) {
    link.failed(error, nowMs)
  } finally {
    lease.pending = undefined
  }
}

/** Adds the leased tokens (only to limits still in the window they were leased for), or blocks the key. */
function applyLease (lease: KeyLease, limits: readonly LimitSpec[], windows: readonly number[], reply: number[], nowMs: number): void {
  if (reply[0] === 0) {
    const i = (reply[1] as number) - 1
    if (lease.windows[i] === windows[i] && (lease.tokens[i] as number) > 0) {
      // A lease asked for ahead found nothing left: spend what is held, then ask again (and be blocked).
      lease.refillAt[i] = 0
      return
    }
    const spec = limits[i] as LimitSpec
    const window = windows[i] as number
    const endMs = spec.clock.endMs(window)
    const waitMs = spec.sliding
      ? slidingWaitMs(reply[3] as number, reply[2] as number, spec.limit, nowMs, endMs, endMs - spec.clock.startMs(window))
      : endMs - nowMs
    clusterPolicyStats.refusedByRedis++
    lease.blockedUntilMs = nowMs + Math.max(MIN_BLOCK_MS, waitMs)
    lease.blockedLimit = i
    return
  }
  for (let i = 0; i < limits.length; i++) {
    if (lease.windows[i] !== windows[i]) continue
    const granted = reply[1 + 2 * i] as number
    lease.tokens[i] = (lease.tokens[i] as number) + granted
    // A quarter of a large lease left asks for the next; near the limit (leases of 1-3) none is.
    if (granted > 0) lease.refillAt[i] = Math.floor(granted / 4)
    lease.remoteLeft[i] = reply[2 + 2 * i] as number
    clusterPolicyStats.tokensLeased += granted
  }
}

/**
 * Redis unreachable: this worker's share of what the cluster had left at its last lease in this
 * window (of the whole limit without one), split over the live workers, counted in fixed windows.
 */
function fallback (lease: KeyLease, limits: readonly LimitSpec[], nowMs: number): RateLimitOutcome {
  const divisor = clusterPolicyStats.liveNodes * clusterPolicyStats.nodeWorkers
  let tightest = 0
  let tightestRemaining = Infinity
  for (let i = 0; i < limits.length; i++) {
    const spec = limits[i] as LimitSpec
    const window = spec.clock.index(nowMs)
    if (lease.fallbackWindows[i] !== window) {
      lease.fallbackWindows[i] = window
      lease.fallbackCounts[i] = 0
      lease.fallbackUncharged[i] = 0
    }
    // `remoteLeft` is the whole limit until a lease in this window answered (a lease takes at
    // least one). Knowing nothing, a limit smaller than the workers still lets each admit one.
    const left = lease.windows[i] === window ? lease.remoteLeft[i] as number : spec.limit
    const share = left >= spec.limit ? Math.max(1, Math.floor(spec.limit / divisor)) : Math.floor(left / divisor)
    const remaining = share - (lease.fallbackCounts[i] as number) - 1
    if (remaining < 0) {
      clusterPolicyStats.fallbackRefused++
      return refusedOutcome(spec.limit, spec.clock.endMs(window) - nowMs)
    }
    if (remaining < tightestRemaining) {
      tightest = i
      tightestRemaining = remaining
    }
  }
  for (let i = 0; i < limits.length; i++) {
    lease.fallbackCounts[i] = (lease.fallbackCounts[i] as number) + 1
    lease.fallbackUncharged[i] = (lease.fallbackUncharged[i] as number) + 1
  }
  clusterPolicyStats.fallbackAdmitted++
  const spec = limits[tightest] as LimitSpec
  const resetMs = spec.clock.endMs(lease.fallbackWindows[tightest] as number) - nowMs
  return { allowed: true, limit: spec.limit, remaining: tightestRemaining, resetSeconds: ceilSeconds(resetMs), retryAfterSeconds: 0 }
}

/** Drops keys with nothing worth keeping: no call in flight, not blocked, no token or fallback count in a current window. */
function sweep (table: LeaseTable, limits: readonly LimitSpec[], nowMs: number): void {
  table.nextSweepMs = nowMs + SWEEP_EVERY_MS
  for (const [key, lease] of table.leases) {
    if (lease.pending !== undefined || lease.blockedUntilMs > nowMs) continue
    let idle = true
    for (let i = 0; i < limits.length && idle; i++) {
      const window = (limits[i] as LimitSpec).clock.index(nowMs)
      if (lease.windows[i] === window && (lease.tokens[i] as number) > 0) idle = false
      if (lease.fallbackWindows[i] === window && (lease.fallbackCounts[i] as number) > 0) idle = false
    }
    if (idle) table.leases.delete(key)
  }
}

/** Gives every unspent token of the current windows back to Redis; never rejects. */
async function giveBack (table: LeaseTable, limits: readonly LimitSpec[], keyPrefix: string, link: ClusterLink): Promise<void> {
  if (!link.redis.ready()) return
  const nowMs = Date.now()
  const calls: Array<Promise<unknown>> = []
  for (const lease of table.leases.values()) {
    for (let i = 0; i < limits.length; i++) {
      const tokens = lease.tokens[i] as number
      const window = lease.windows[i] as number
      if (tokens <= 0 || window !== (limits[i] as LimitSpec).clock.index(nowMs)) continue
      lease.tokens[i] = 0
      clusterPolicyStats.tokensReturned += tokens
      calls.push(link.commands.tgRateReturn(counterKey(keyPrefix, lease, i, window), tokens))
    }
  }
  await Promise.allSettled(calls)
}

/** On drain: tokens back, and out of the live set so the other workers' leases grow. */
async function drain (table: LeaseTable, limits: readonly LimitSpec[], keyPrefix: string, link: ClusterLink): Promise<void> {
  await giveBack(table, limits, keyPrefix, link)
  await link.stop()
}
