import type { Logger } from '../../../kit/logger.js'
import type { RedisHandle } from '../../../kit/redis.js'
import type { WindowClock } from './windows.js'

/** The outcome of counting one request against a binding's limits. Times are whole seconds, as headers carry them. */
export interface RateLimitOutcome {
  readonly allowed: boolean
  /** The limit the outcome speaks for: the one closest to running out (admitted) or the one that refused. */
  readonly limit: number
  /** Requests still admitted after this one under that limit, as of now; 0 when refused. */
  readonly remaining: number
  /** Seconds (≥ 1) until that limit's window ends; when refused, equal to `retryAfterSeconds`. */
  readonly resetSeconds: number
  /** Seconds (≥ 1) until a request would be admitted again; 0 when allowed. */
  readonly retryAfterSeconds: number
}

/** One limit of a binding: `limit` requests per window of `clock`. */
export interface LimitSpec {
  /** Requests per window (≥ 1). */
  readonly limit: number
  readonly clock: WindowClock
  /**
   * Sliding-window approximation when true (fixed-length windows only); fixed windows when false.
   * Calendar months are always fixed.
   */
  readonly sliding: boolean
}

/** What a policy is built from; validated config, so a policy need not check it again. */
export interface RateLimitPolicyOptions {
  /** The binding's limits, at least one; a request is admitted only when every one has room. */
  readonly limits: readonly LimitSpec[]
  /**
   * Identifies the counters across config reloads: the binding id and a fingerprint of the
   * counting fields. Two policies with the same scope share their counters.
   */
  readonly scope: string
  /** The time of the build (epoch ms, from the plugin's clock), for housekeeping. */
  readonly nowMs: number
  /** The worker's Redis connection (the cluster policy needs it). */
  readonly redis: RedisHandle | undefined
  readonly log: Logger
  /** Subscribes to the worker's drain (the cluster policy returns its unspent leases then). */
  readonly onDrain: (listener: () => void | Promise<void>) => () => void
}

/**
 * Where rate-limit counters live: `local` (this worker) or `cluster` (tokens leased from Redis,
 * DESIGN.md §8), picked by config. `take` may return a promise (a remote store); the local policy
 * never does.
 */
export interface RateLimitPolicy {
  /** Counts one request for `key` at `nowMs` (epoch ms) against every limit when all admit it; refused requests count nowhere. */
  take (key: string, nowMs: number): RateLimitOutcome | Promise<RateLimitOutcome>
  /** Called once when the binding's config version is retired. */
  release (): void
}

/** Builds a policy; one per binding per config version. */
export type RateLimitPolicyFactory = (options: RateLimitPolicyOptions) => RateLimitPolicy
