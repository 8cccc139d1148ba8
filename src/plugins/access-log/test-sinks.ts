// Sinks for the access-log tests: one that records calls around a real sink, one whose writes
// finish only when the test says so (a slow disk).
import type { LogSink } from './sink.js'

/** What a recording sink saw. */
export interface SinkRecord {
  writes: string[]
  reopens: number
  closes: number
  /** Most sink calls ever in flight at once (the writer promises 1). */
  maxInFlight: number
}

/** Wraps `inner`, recording every call and the calls in flight. */
export function recordingSink (inner: LogSink, record: SinkRecord): LogSink {
  let inFlight = 0
  async function track<T> (call: () => Promise<T>): Promise<T> {
    inFlight++
    record.maxInFlight = Math.max(record.maxInFlight, inFlight)
    try {
      return await call()
    } finally {
      inFlight--
    }
  }
  return {
    write: (data) => track(async () => { record.writes.push(data.toString()); await inner.write(data) }),
    reopen: () => track(async () => { record.reopens++; await inner.reopen() }),
    close: () => track(async () => { record.closes++; await inner.close() })
  }
}

/** A fresh, empty record. */
export function newSinkRecord (): SinkRecord {
  return { writes: [], reopens: 0, closes: 0, maxInFlight: 0 }
}

/** A sink whose writes stay pending until `finishWrite` settles the oldest (with an error: rejects it). */
export interface SlowSink extends LogSink {
  readonly written: string[]
  readonly pendingWrites: number
  finishWrite (error?: Error): void
}

export function slowSink (): SlowSink {
  const waiting: Array<{ data: Buffer, resolve: () => void, reject: (error: Error) => void }> = []
  const written: string[] = []
  return {
    written,
    get pendingWrites () { return waiting.length },
    write: (data) => new Promise<void>((resolve, reject) => { waiting.push({ data, resolve, reject }) }),
    reopen: async () => {},
    close: async () => {},
    finishWrite (error?: Error) {
      const next = waiting.shift()
      if (next === undefined) throw new Error('no write is pending')
      if (error !== undefined) return next.reject(error)
      written.push(next.data.toString())
      next.resolve()
    }
  }
}
