import type { RateLimitOutcome } from './policy.js'

/** Whole seconds (≥ 1, rounded up) as `Retry-After` and `RateLimit-Reset` carry them. */
export function ceilSeconds (ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000))
}

/** A refusal that says to come back in `waitMs`. */
export function refusedOutcome (limit: number, waitMs: number): RateLimitOutcome {
  const seconds = ceilSeconds(waitMs)
  return { allowed: false, limit, remaining: 0, resetSeconds: seconds, retryAfterSeconds: seconds }
}

/**
 * The sliding-window estimate of requests in the last window: the previous window's count weighted
 * by how much of it still overlaps, plus the current count. `elapsedMs` is clamped into the window.
 */
export function slidingEstimate (previous: number, current: number, elapsedMs: number, lengthMs: number): number {
  return previous * (1 - elapsedMs / lengthMs) + current
}

/**
 * How long until `previous × weight + current + 1 ≤ limit`. If the current count leaves room, the
 * previous window's weight has to decay within this window; if not, the current count becomes
 * the previous one at the window's end and has to decay within the next.
 */
export function slidingWaitMs (previous: number, current: number, limit: number, nowMs: number, windowEndMs: number, lengthMs: number): number {
  if (current + 1 <= limit) {
    const fraction = 1 - (limit - current - 1) / previous
    return windowEndMs - lengthMs + fraction * lengthMs - nowMs
  }
  const fraction = 1 - (limit - 1) / current
  return windowEndMs + fraction * lengthMs - nowMs
}
