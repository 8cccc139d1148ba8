/** Most seconds a `SecondCounts` can look back: the longest window the config accepts (60 s). */
export const MAX_WINDOW_SECONDS = 60

/**
 * Two event counts (say successes and failures) per whole second of a clock in milliseconds,
 * over the last `MAX_WINDOW_SECONDS` seconds: a sliding window that moves in 1 s steps. A slot is
 * reused when its second comes round again, so memory stays fixed (about 1 KiB) and adding is O(1);
 * summing a window of `n` seconds is O(n), done only when a decision needs it.
 */
export class SecondCounts {
  /** The second (`floor(ms / 1000)`) each slot counts; -1 for a slot never used. */
  private readonly stamps = new Float64Array(MAX_WINDOW_SECONDS).fill(-1)
  private readonly firstCounts = new Uint32Array(MAX_WINDOW_SECONDS)
  private readonly secondCounts = new Uint32Array(MAX_WINDOW_SECONDS)

  /** Adds `first` and `second` events at clock time `nowMs`. */
  add (nowMs: number, first: number, second: number): void {
    const secondNumber = Math.floor(nowMs / 1000)
    const slot = slotOf(secondNumber)
    if (this.stamps[slot] !== secondNumber) {
      this.stamps[slot] = secondNumber
      this.firstCounts[slot] = 0
      this.secondCounts[slot] = 0
    }
    this.firstCounts[slot] = (this.firstCounts[slot] as number) + first
    this.secondCounts[slot] = (this.secondCounts[slot] as number) + second
  }

  /** Sum of the first counts over the `windowSeconds` (1..60) seconds up to and including `nowMs`'s. */
  sumFirst (nowMs: number, windowSeconds: number): number {
    return this.sum(this.firstCounts, nowMs, windowSeconds)
  }

  /** Sum of the second counts over the `windowSeconds` (1..60) seconds up to and including `nowMs`'s. */
  sumSecond (nowMs: number, windowSeconds: number): number {
    return this.sum(this.secondCounts, nowMs, windowSeconds)
  }

  /** Forgets every count. */
  clear (): void {
    this.stamps.fill(-1)
  }

  private sum (counts: Uint32Array, nowMs: number, windowSeconds: number): number {
    const last = Math.floor(nowMs / 1000)
    const span = Math.min(Math.max(1, windowSeconds), MAX_WINDOW_SECONDS)
    let total = 0
    for (let s = last - span + 1; s <= last; s++) {
      const slot = slotOf(s)
      if (this.stamps[slot] === s) total += counts[slot] as number
    }
    return total
  }
}

/** The slot of second `s`, also for negative seconds (a fake clock may start anywhere). */
function slotOf (s: number): number {
  return ((s % MAX_WINDOW_SECONDS) + MAX_WINDOW_SECONDS) % MAX_WINDOW_SECONDS
}
