import type { LimitSpec, RateLimitOutcome, RateLimitPolicy, RateLimitPolicyOptions } from './policy.js'
import { ceilSeconds, refusedOutcome, slidingEstimate, slidingWaitMs } from './window-math.js'

/** One key's counts under one limit: requests admitted in window `window` and in the window before it. */
interface Counter {
  window: number
  current: number
  previous: number
}

/** The counters of one limit of one scope (binding + counting config), shared by every config version that has it. */
interface CounterTable {
  readonly counters: Map<string, Counter>
  readonly spec: LimitSpec
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
    if (table.refs === 0 && table.spec.clock.index(nowMs) >= table.sweptWindow + 2) tables.delete(scope)
  }
}

/** Deletes counters whose counts no longer matter (older than the previous window). O(keys), once per window. */
function sweep (table: CounterTable, window: number): void {
  table.sweptWindow = window
  for (const [key, counter] of table.counters) if (counter.window < window - 1) table.counters.delete(key)
}

function acquireTable (scope: string, spec: LimitSpec, nowMs: number): CounterTable {
  let table = tables.get(scope)
  if (table === undefined) {
    table = { counters: new Map(), spec, refs: 0, sweptWindow: spec.clock.index(nowMs) }
    tables.set(scope, table)
  }
  table.refs++
  return table
}

/** The counter of `key` in `table`, moved into the window of `nowMs`. */
function counterAt (table: CounterTable, key: string, nowMs: number): Counter {
  const window = table.spec.clock.index(nowMs)
  if (window > table.sweptWindow) sweep(table, window)
  let counter = table.counters.get(key)
  if (counter === undefined) {
    counter = { window, current: 0, previous: 0 }
    table.counters.set(key, counter)
  } else if (counter.window < window) {
    counter.previous = counter.window === window - 1 ? counter.current : 0
    counter.current = 0
    counter.window = window
  }
  // A clock that stepped back keeps using the counter's (newer) window.
  return counter
}

/** Requests counted against `counter` as of `nowMs`: the current count, plus the weighted previous one when sliding. */
function countedNow (spec: LimitSpec, counter: Counter, nowMs: number): number {
  if (!spec.sliding) return counter.current
  const startMs = spec.clock.startMs(counter.window)
  const lengthMs = spec.clock.endMs(counter.window) - startMs
  const elapsedMs = Math.min(lengthMs, Math.max(0, nowMs - startMs))
  return slidingEstimate(counter.previous, counter.current, elapsedMs, lengthMs)
}

/** How long until `counter` admits one more request. */
function waitMs (spec: LimitSpec, counter: Counter, nowMs: number): number {
  const endMs = spec.clock.endMs(counter.window)
  if (!spec.sliding) return endMs - nowMs
  return slidingWaitMs(counter.previous, counter.current, spec.limit, nowMs, endMs, endMs - spec.clock.startMs(counter.window))
}

/** The local policy answers synchronously, so its `take` never returns a promise. */
export interface LocalPolicy extends RateLimitPolicy {
  take (key: string, nowMs: number): RateLimitOutcome
}

/**
 * The local policy: counters in this worker's memory, one Map lookup per limit per request.
 *
 * Fixed windows count per window index. Sliding windows use the two-window approximation
 * `previous × (1 − elapsed / window) + current`: it assumes the previous window's requests were
 * spread evenly, needs two numbers per key instead of a timestamp per request, and is exact
 * whenever traffic is steady. A request is counted against every limit only when all of them
 * admit it.
 */
export function createLocalPolicy (options: Pick<RateLimitPolicyOptions, 'limits' | 'scope' | 'nowMs'>): LocalPolicy {
  const { limits, scope } = options
  dropReleasedTables(options.nowMs)
  const held = limits.map((spec, i) => acquireTable(`${scope}\n${i}`, spec, options.nowMs))
  // Reused by every take (synchronous, so never shared by two requests): no array per request.
  const scratch: Counter[] = new Array<Counter>(held.length)
  let released = false

  function take (key: string, nowMs: number): RateLimitOutcome {
    let refusedBy = -1
    let longestWaitMs = 0
    for (let i = 0; i < held.length; i++) {
      const table = held[i] as CounterTable
      const counter = counterAt(table, key, nowMs)
      scratch[i] = counter
      if (countedNow(table.spec, counter, nowMs) + 1 <= table.spec.limit) continue
      const wait = waitMs(table.spec, counter, nowMs)
      if (refusedBy === -1 || wait > longestWaitMs) {
        refusedBy = i
        longestWaitMs = wait
      }
    }
    if (refusedBy !== -1) return refusedOutcome((held[refusedBy] as CounterTable).spec.limit, longestWaitMs)
    let tightest = 0
    let tightestRemaining = Infinity
    for (let i = 0; i < held.length; i++) {
      const spec = (held[i] as CounterTable).spec
      const counter = scratch[i] as Counter
      counter.current++
      const remaining = Math.max(0, Math.floor(spec.limit - countedNow(spec, counter, nowMs)))
      if (remaining < tightestRemaining) {
        tightest = i
        tightestRemaining = remaining
      }
    }
    const spec = (held[tightest] as CounterTable).spec
    const resetMs = spec.clock.endMs((scratch[tightest] as Counter).window) - nowMs
    return { allowed: true, limit: spec.limit, remaining: tightestRemaining, resetSeconds: ceilSeconds(resetMs), retryAfterSeconds: 0 }
  }

  function release (): void {
    if (released) return
    released = true
    held.forEach((table, i) => {
      table.refs--
      // Kept when it still has counts: the next version may take the same scope (see dropReleasedTables).
      if (table.refs === 0 && table.counters.size === 0) tables.delete(`${scope}\n${i}`)
    })
  }

  return { take, release }
}
