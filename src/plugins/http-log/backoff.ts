/**
 * The wait before retry number `retry` (1 for the first) of a failed batch: `baseMs · 2^(retry−1)`,
 * capped at `maxMs`, then jittered to between half and all of it ("equal jitter"), so the workers
 * of a node that all lost the collector at once do not come back in step, while a retry never
 * comes sooner than half the planned wait.
 * @param random a source of numbers in [0, 1); injected in tests
 */
export function retryDelayMs (retry: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  // 2^30 already exceeds any configurable maximum; the cap keeps the power finite.
  const planned = Math.min(maxMs, baseMs * 2 ** Math.min(retry - 1, 30))
  return Math.round(planned / 2 + random() * planned / 2)
}
