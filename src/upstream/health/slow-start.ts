import type { TargetState } from '../targets.js'

/** Default slow-start window, ms (design-notes part 2, recommendation 3; Envoy's example value). */
export const DEFAULT_SLOW_START_MS = 30_000

/**
 * Least share of its weight a ramping target gets: 10 %, so a target that has just joined still
 * gets a few requests and starts to learn its latency (Envoy's `min_weight_percent` default).
 */
export const MIN_SLOW_START_FACTOR = 0.1

/**
 * The share of its weight a target gets at clock time `nowMs` during slow start: rises linearly
 * from 10 % at `rampFromMs` (when it joined a running service or came back from ejection) to 1 at
 * `rampFromMs + windowMs`; 1 outside a ramp or when `windowMs` is 0 (slow start off).
 *
 *     factor = max(0.1, min(1, (now − rampFrom) / window))
 */
export function slowStartFactor (state: TargetState | undefined, nowMs: number, windowMs: number): number {
  if (state === undefined || windowMs <= 0) return 1
  const elapsedMs = nowMs - state.rampFromMs
  if (elapsedMs >= windowMs) return 1
  return Math.max(MIN_SLOW_START_FACTOR, elapsedMs / windowMs)
}
