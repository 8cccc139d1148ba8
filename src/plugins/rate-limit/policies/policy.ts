/** The outcome of counting one request against a limit. Times are whole seconds, as headers carry them. */
export interface RateLimitOutcome {
  readonly allowed: boolean
  readonly limit: number
  /** Requests still admitted after this one, as of now; 0 when refused. */
  readonly remaining: number
  /** Seconds (≥ 1) until the current window ends; when refused, equal to `retryAfterSeconds`. */
  readonly resetSeconds: number
  /** Seconds (≥ 1) until a request would be admitted again; 0 when allowed. */
  readonly retryAfterSeconds: number
}

/** What a policy is built from; validated config, so a policy need not check it again. */
export interface RateLimitPolicyOptions {
  /** Requests per window (≥ 1). */
  readonly limit: number
  /** Window length in milliseconds (≥ 1000). */
  readonly windowMs: number
  /** Sliding-window approximation when true, fixed windows when false. */
  readonly sliding: boolean
  /**
   * Identifies the counters across config reloads: the binding id and a fingerprint of the
   * counting fields. Two policies with the same scope share their counters.
   */
  readonly scope: string
  /** The time of the build (epoch ms, from the plugin's clock), for housekeeping. */
  readonly nowMs: number
}

/**
 * Where rate-limit counters live. One interface so the Redis and cluster policies of DESIGN.md §8
 * can replace the local one by config. `take` may return a promise (a remote store); the local
 * policy never does.
 */
export interface RateLimitPolicy {
  /** Counts one request for `key` at `nowMs` (epoch ms) when it is admitted; refused requests do not count. */
  take (key: string, nowMs: number): RateLimitOutcome | Promise<RateLimitOutcome>
  /** Called once when the binding's config version is retired. */
  release (): void
}

/** Builds a policy; one per binding per config version. */
export type RateLimitPolicyFactory = (options: RateLimitPolicyOptions) => RateLimitPolicy
