/** The window lengths a limit can be counted over; `month` is the calendar month in UTC. */
export const WINDOW_UNITS = ['second', 'minute', 'hour', 'day', 'month'] as const
export type WindowUnit = typeof WINDOW_UNITS[number]

/** Milliseconds of the fixed-length units. */
export const UNIT_MS: Record<Exclude<WindowUnit, 'month'>, number> = {
  second: 1000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000
}

/**
 * Numbers the windows of one limit. Windows are consecutive and never overlap: `index(t)` grows
 * by one from each window to the next, which is what the counters and the Redis keys are named by.
 */
export interface WindowClock {
  /** The index of the window holding `nowMs` (epoch ms). */
  index (nowMs: number): number
  /** Epoch ms at which window `index` starts. */
  startMs (index: number): number
  /** Epoch ms at which window `index` ends (the next one starts). */
  endMs (index: number): number
  /** True for windows of one length, where the sliding estimate applies. */
  readonly fixedLength: boolean
  /** Nominal length in seconds, for `RateLimit-Policy` (`w=`); 2592000 (30 days) for a month. */
  readonly nominalSeconds: number
}

/** Windows of `lengthMs` aligned to the epoch: `floor(now / length)`. Pure arithmetic, no allocation. */
export function fixedLengthClock (lengthMs: number): WindowClock {
  return {
    index: (nowMs) => Math.floor(nowMs / lengthMs),
    startMs: (index) => index * lengthMs,
    endMs: (index) => (index + 1) * lengthMs,
    fixedLength: true,
    nominalSeconds: Math.round(lengthMs / 1000)
  }
}

/**
 * Calendar months in UTC, indexed as months since January 1970. Quotas are sold per calendar
 * month, so a 31-day month admits the same as a 28-day one. The bounds of the current month are
 * cached so a request in it costs two comparisons; only crossing into another month builds a Date.
 */
export function calendarMonthClock (): WindowClock {
  let cachedIndex = Number.NaN
  let cachedStartMs = 0
  let cachedEndMs = -1
  const startOf = (index: number): number => Date.UTC(1970 + Math.floor(index / 12), ((index % 12) + 12) % 12, 1)
  return {
    index (nowMs) {
      if (nowMs >= cachedStartMs && nowMs < cachedEndMs) return cachedIndex
      const date = new Date(nowMs)
      const index = (date.getUTCFullYear() - 1970) * 12 + date.getUTCMonth()
      cachedIndex = index
      cachedStartMs = startOf(index)
      cachedEndMs = startOf(index + 1)
      return index
    },
    startMs: startOf,
    endMs: (index) => startOf(index + 1),
    fixedLength: false,
    nominalSeconds: 2_592_000
  }
}

/** The clock of a unit, or of a window of `seconds` (the `limit` + `window_seconds` shorthand). */
export function clockFor (window: WindowUnit | { seconds: number }): WindowClock {
  if (typeof window === 'object') return fixedLengthClock(window.seconds * 1000)
  return window === 'month' ? calendarMonthClock() : fixedLengthClock(UNIT_MS[window])
}
