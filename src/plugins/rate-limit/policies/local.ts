import type { RateLimitOutcome, RateLimitPolicy, RateLimitPolicyOptions } from './policy.js'

/** One key's counts: requests admitted in window `window` and in the window before it. */
interface Counter {
  window: number
  current: number
  previous: number
}

/** The counters of one scope (binding + counting config), shared by every config version that has it. */
interface CounterTable {
  readonly counters: Map<string, Counter>
  readonly windowMs: number
  /** Policies (config versions) holding the table. */
  refs: number
  /**
   * The window index of the last sweep, which is also the newest window any counter is in: the
   * sweep runs on the first request of each new window.
   */
  sweptWindow: number
}

/**
 * Module state: it outlives config versions on purpose, so a reload that keeps a binding's id and
 * counting config keeps its counters (otherwise every reload would hand every key a fresh limit).
 */
const tables = new Map<string, CounterTable>()

/** Counts held by the local policy in this worker, for tests and metrics. */
export function localPolicyStats (): { tables: number, keys: number } {
  let keys = 0
  for (const table of tables.values()) keys += table.counters.size
  return { tables: tables.size, keys }
}

/**
 * A released table is dropped once its newest counts are two windows old: by then every counter
 * in it reads as zero, so a version that comes back to the scope would lose nothing. Runs when a
 * policy is built (config loads), which is also when tables are released.
 */
function dropReleasedTables (nowMs: number): void {
  for (const [scope, table] of tables) {
    if (table.refs === 0 && Math.floor(nowMs / table.windowMs) >= table.sweptWindow + 2) tables.delete(scope)
  }
}

/** Deletes counters whose counts no longer matter (older than the previous window). O(keys), once per window. */
function sweep (table: CounterTable, window: number): void {
  table.sweptWindow = window
  for (const [key, counter] of table.counters) if (counter.window < window - 1) table.counters.delete(key)
}

/** The local policy answers synchronously, so its `take` never returns a promise. */
export interface LocalPolicy extends RateLimitPolicy {
  take (key: string, nowMs: number): RateLimitOutcome
}

function ceilSeconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

function refused (limit: number, waitMs: number): RateLimitOutcome {
  const seconds = ceilSeconds(waitMs)
  return { allowed: false, limit, remaining: 0, resetSeconds: seconds, retryAfterSeconds: seconds }
}

/**
 * The local policy: counters in this worker's memory, one Map lookup per request.
 *
 * Fixed windows count per window index `floor(now / windowMs)`. Sliding windows use the two-window
 * approximation `previous × (1 − elapsed / windowMs) + current`: it assumes the previous window's
 * requests were spread evenly, needs two numbers per key instead of a timestamp per request, and
 * is exact whenever traffic is steady.
 */
export function createLocalPolicy (options: RateLimitPolicyOptions): LocalPolicy {
  const { limit, windowMs, sliding, scope } = options
  dropReleasedTables(options.nowMs)
  let table = tables.get(scope)
  if (table === undefined) {
    table = { counters: new Map(), windowMs, refs: 0, sweptWindow: Math.floor(options.nowMs / windowMs) }
    tables.set(scope, table)
  }
  table.refs++
  const held = table
  let released = false

  function take (key: string, nowMs: number): RateLimitOutcome {
    const window = Math.floor(nowMs / windowMs)
    if (window > held.sweptWindow) sweep(held, window)
    let counter = held.counters.get(key)
    if (counter === undefined) {
      counter = { window, current: 0, previous: 0 }
      held.counters.set(key, counter)
    } else if (counter.window < window) {
      counter.previous = counter.window === window - 1 ? counter.current : 0
      counter.current = 0
      counter.window = window
    }
    // A clock that stepped back keeps using the counter's window; elapsed is clamped into it.
    const windowEndMs = (counter.window + 1) * windowMs
    const elapsedMs = Math.min(windowMs, Math.max(0, nowMs - counter.window * windowMs))
    return sliding ? takeSliding(counter, nowMs, elapsedMs, windowEndMs) : takeFixed(counter, nowMs, windowEndMs)
  }

  function takeFixed (counter: Counter, nowMs: number, windowEndMs: number): RateLimitOutcome {
    if (counter.current >= limit) return refused(limit, windowEndMs - nowMs)
    counter.current++
    return { allowed: true, limit, remaining: limit - counter.current, resetSeconds: ceilSeconds(windowEndMs - nowMs), retryAfterSeconds: 0 }
  }

  function takeSliding (counter: Counter, nowMs: number, elapsedMs: number, windowEndMs: number): RateLimitOutcome {
    const weighted = counter.previous * (1 - elapsedMs / windowMs)
    if (weighted + counter.current + 1 > limit) return refused(limit, slidingWaitMs(counter, nowMs, windowEndMs))
    counter.current++
    const remaining = Math.max(0, Math.floor(limit - weighted - counter.current))
    return { allowed: true, limit, remaining, resetSeconds: ceilSeconds(windowEndMs - nowMs), retryAfterSeconds: 0 }
  }

  /**
   * How long until `previous × weight + current + 1 ≤ limit`. If the current count leaves room, the
   * previous window's weight has to decay within this window; if not, the current count becomes
   * the previous one at the window's end and has to decay within the next.
   */
  function slidingWaitMs (counter: Counter, nowMs: number, windowEndMs: number): number {
    if (counter.current + 1 <= limit) {
      const fraction = 1 - (limit - counter.current - 1) / counter.previous
      return windowEndMs - windowMs + fraction * windowMs - nowMs
    }
    const fraction = 1 - (limit - 1) / counter.current
    return windowEndMs + fraction * windowMs - nowMs
  }

  function release (): void {
    if (released) return
    released = true
    held.refs--
    // Kept when it still has counts: the next version may take the same scope (see dropReleasedTables).
    if (held.refs === 0 && held.counters.size === 0) tables.delete(scope)
  }

  return { take, release }
}
