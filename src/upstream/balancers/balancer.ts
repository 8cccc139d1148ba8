import type { Target } from '../transport/transport.js'

/** Outcome of one attempt, reported to the balancer exactly once. */
export interface AttemptOutcome {
  /** Milliseconds from send to response head (or to failure). */
  readonly latencyMs: number
  /** False for connect errors, resets, timeouts and 502/503/504 answers. */
  readonly ok: boolean
  /**
   * True when the client went away before the attempt ended (then `ok` is true): neither a
   * success nor a failure for passive health. Absent means false.
   */
  readonly aborted?: boolean
}

/** Per-request input a balancer may use (consistent hashing keys, for instance). */
export interface PickInput {
  readonly merchantId: string | undefined
  readonly clientIp: string
  readonly path: string
  header (name: string): string | undefined
}

/**
 * Chooses targets. `pick` returns undefined when no target is usable; the caller then calls
 * `onSend` when the attempt starts and `onDone` once when it ends, on every path.
 */
export interface Balancer {
  readonly name: string
  pick (input: PickInput, exclude?: ReadonlySet<string>): Target | undefined
  onSend (target: Target): void
  onDone (target: Target, outcome: AttemptOutcome): void
}
