import type { Logger } from '../../kit/logger.js'
import type { LogSink } from './sink.js'

/** How a writer batches; the latest config version using the path sets them. */
export interface WriterSettings {
  /** A batch is sealed and written once it holds this many bytes. */
  readonly bufferBytes: number
  /** A non-empty batch is sealed at the latest this long after its first line. */
  readonly flushIntervalMs: number
  /** Bound on bytes waiting behind a write in flight (sealed batches plus the open one). */
  readonly maxPendingBytes: number
}

/** Lines dropped by every writer of this worker since it started (for the metrics exporter). */
let droppedLinesTotal = 0

/** Access-log counters of this worker. */
export function accessLogStats (): { droppedLines: number } {
  return { droppedLines: droppedLinesTotal }
}

interface Batch {
  readonly data: Buffer
  readonly lines: number
}

/**
 * Batches lines for one path and writes them off the request path: lines are appended to a string;
 * a full batch or the interval timer seals it into a queue; one write is in flight at a time.
 * While a write is slow, sealed batches queue up to `maxPendingBytes`; past that, lines are dropped
 * and counted rather than held, so a stuck disk costs bounded memory and never blocks a request.
 */
export class LogWriter {
  /** Lines this writer dropped (pending bound exceeded, write failed, or written after close). */
  droppedLines = 0
  private settings: WriterSettings
  private text = ''
  private textBytes = 0
  private textLines = 0
  private readonly queue: Batch[] = []
  private queuedBytes = 0
  private busy = false
  private reopenWanted = false
  private closed = false
  private timer: NodeJS.Timeout | undefined
  private idleWaiters: Array<() => void> = []
  private droppedSinceWarn = 0
  private lastWarnMs = -Infinity

  constructor (
    readonly path: string,
    private readonly sink: LogSink,
    settings: WriterSettings,
    private log: Logger,
    private readonly now: () => number = Date.now
  ) {
    this.settings = settings
  }

  /** Takes the settings and logger of a newer config version. */
  configure (settings: WriterSettings, log: Logger): void {
    this.settings = settings
    this.log = log
  }

  /** Queues one line (with its newline). Never blocks, never throws. */
  append (line: string): void {
    if (this.closed) return this.drop(1, 'writer closed')
    const bytes = Buffer.byteLength(line)
    // Only a write in flight makes lines pile up; an idle writer starts writing a batch once it is full.
    if (this.busy && this.queuedBytes + this.textBytes + bytes > this.settings.maxPendingBytes) return this.drop(1, 'pending bound exceeded')
    this.text += line
    this.textBytes += bytes
    this.textLines++
    if (this.textBytes >= this.settings.bufferBytes) {
      this.seal()
      this.pump()
    } else if (this.timer === undefined) {
      this.timer = setTimeout(this.onTimer, this.settings.flushIntervalMs)
      this.timer.unref() // a pending batch must not keep a stopping worker alive; drain flushes it
    }
  }

  /** Writes everything appended so far; resolves when it is written (or dropped on error). */
  flush (): Promise<void> {
    this.seal()
    const done = new Promise<void>((resolve) => this.idleWaiters.push(resolve))
    this.pump()
    return done
  }

  /** Closes the file after the write in flight; the next batch opens the path again (rotation). */
  reopen (): void {
    if (this.closed) return
    this.reopenWanted = true
    this.pump()
  }

  /** Flushes, then closes the sink; later lines are dropped. */
  async close (): Promise<void> {
    await this.flush()
    this.closed = true
    await this.sink.close().catch((error: unknown) => this.log.warn({ err: error, path: this.path }, 'access-log: closing the file failed'))
  }

  /** Bytes waiting to be written (open batch plus queue, not the write in flight). */
  get pendingBytes (): number {
    return this.queuedBytes + this.textBytes
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    this.seal()
    this.pump()
  }

  private seal (): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer)
      this.timer = undefined
    }
    if (this.textLines === 0) return
    this.queue.push({ data: Buffer.from(this.text), lines: this.textLines })
    this.queuedBytes += this.textBytes
    this.text = ''
    this.textBytes = 0
    this.textLines = 0
  }

  /** Starts the next sink call unless one is in flight: a wanted reopen first, then the oldest batch. */
  private pump (): void {
    if (this.busy) return
    if (this.reopenWanted) {
      this.reopenWanted = false
      this.run(this.sink.reopen(), 0)
      return
    }
    const batch = this.queue.shift()
    if (batch === undefined) {
      const waiters = this.idleWaiters
      this.idleWaiters = []
      for (const resolve of waiters) resolve()
      return
    }
    this.queuedBytes -= batch.data.length
    this.run(this.sink.write(batch.data), batch.lines)
  }

  private run (call: Promise<void>, lines: number): void {
    this.busy = true
    call.then(() => {
      this.busy = false
      this.pump()
    }, (error: unknown) => {
      this.busy = false
      if (lines > 0) this.drop(lines, 'write failed', error)
      else this.log.warn({ err: error, path: this.path }, 'access-log: reopening the file failed')
      this.pump()
    })
  }

  /** Counts dropped lines; warns at most once per flush interval, with the count since the last warning. */
  private drop (lines: number, reason: string, error?: unknown): void {
    this.droppedLines += lines
    droppedLinesTotal += lines
    this.droppedSinceWarn += lines
    const nowMs = this.now()
    if (nowMs - this.lastWarnMs < this.settings.flushIntervalMs) return
    this.lastWarnMs = nowMs
    this.log.warn({ path: this.path, dropped_lines: this.droppedSinceWarn, reason, err: error }, 'access-log: lines dropped')
    this.droppedSinceWarn = 0
  }
}
