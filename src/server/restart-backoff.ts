/**
 * Delay before restarting a crashed worker: doubles with each crash in a row, up to `maxMs`; a
 * worker that lived `stableMs` resets the count (a one-off crash restarts at once).
 */
export class RestartBackoff {
  private crashes = 0
  private readonly initialMs: number
  private readonly maxMs: number
  private readonly stableMs: number

  constructor (initialMs: number, maxMs: number, stableMs = 10_000) {
    this.initialMs = initialMs
    this.maxMs = maxMs
    this.stableMs = stableMs
  }

  /** Records a crash of a worker that lived `livedMs`; returns the delay before its replacement. */
  nextDelayMs (livedMs: number): number {
    if (livedMs >= this.stableMs) this.crashes = 0
    const delay = Math.min(this.maxMs, this.initialMs * 2 ** this.crashes)
    this.crashes++
    return delay
  }
}
