import { SecondCounts } from './health/second-counts.js'

/** Seconds a retry budget looks back (Finagle's and Linkerd's default TTL). */
export const RETRY_BUDGET_WINDOW_SECONDS = 10

/**
 * Caps the retries of one service so that in an outage they cannot multiply the load (Finagle's
 * `RetryBudget`, Linkerd's retry budget): over the last 10 s,
 *
 *     retries ≤ percent / 100 · requests + minPerSecond · 10
 *
 * With the defaults (20 %, 10/s) a service that fails every request sends at most 1.2× its
 * requests upstream, plus the small floor that lets low-traffic services retry at all. Counts are
 * per worker and per config version (a reload starts a new budget).
 */
export class RetryBudget {
  /** Retries refused because the budget was spent (for status and tests). */
  refused = 0
  /** First count: requests; second count: retries. */
  private readonly counts = new SecondCounts()
  private readonly percent: number
  private readonly minPerSecond: number

  /**
   * @param percent retries allowed per 100 requests, 0..100
   * @param minPerSecond retries per second allowed whatever the traffic, ≥ 0
   * Throws on values out of range.
   */
  constructor (percent: number, minPerSecond: number) {
    if (!(Number.isFinite(percent) && percent >= 0 && percent <= 100)) throw new Error(`retry budget: percent must be in 0..100, got ${percent}`)
    if (!(Number.isFinite(minPerSecond) && minPerSecond >= 0)) throw new Error(`retry budget: minPerSecond must be ≥ 0, got ${minPerSecond}`)
    this.percent = percent
    this.minPerSecond = minPerSecond
  }

  /** Counts one request (its first attempt) at clock time `nowMs`. */
  onRequest (nowMs: number): void {
    this.counts.add(nowMs, 1, 0)
  }

  /** Takes one retry from the budget at `nowMs`: true when allowed (and counted), false when spent. */
  tryRetry (nowMs: number): boolean {
    const requests = this.counts.sumFirst(nowMs, RETRY_BUDGET_WINDOW_SECONDS)
    const retries = this.counts.sumSecond(nowMs, RETRY_BUDGET_WINDOW_SECONDS)
    const allowed = requests * this.percent / 100 + this.minPerSecond * RETRY_BUDGET_WINDOW_SECONDS
    if (retries + 1 > allowed) {
      this.refused++
      return false
    }
    this.counts.add(nowMs, 0, 1)
    return true
  }
}
