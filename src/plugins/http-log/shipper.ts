import type { Logger } from '../../kit/logger.js'
import { retryDelayMs } from './backoff.js'
import { batchBody, type BatchFormat } from './batch-body.js'
import { batchIdSequence } from './batch-id.js'
import type { BatchPoster } from './collector-client.js'
import { httpLogCounters, type DropReason } from './stats.js'

/** How a shipper batches, retries and bounds its queue; the newest config version sets them. */
export interface ShipperSettings {
  readonly format: BatchFormat
  readonly timeoutMs: number
  readonly batchMaxRecords: number
  readonly batchMaxBytes: number
  readonly flushIntervalMs: number
  readonly maxRetries: number
  readonly retryBaseMs: number
  readonly retryMaxMs: number
  readonly queueMaxRecords: number
  readonly queueMaxBytes: number
}

/** At most one warning per this many ms about dropped records or failing POSTs. */
const WARN_INTERVAL_MS = 10_000

/** A batch taken off the queue: sent, retried after a backoff, then accepted or dropped. */
interface Batch {
  /** Sent as `x-tollgate-batch-id` with every attempt, so a collector can drop a batch it already stored. */
  readonly id: string
  readonly records: number
  readonly body: Buffer
  /** Attempts made so far. */
  attempts: number
}

/** Options of a shipper; tests inject randomness and the clock of the warnings. */
export interface ShipperOptions {
  /** [0, 1) source for the backoff jitter. Default `Math.random`. */
  readonly random?: () => number
  /** Clock of the warning interval, ms. Default `Date.now`. */
  readonly now?: () => number
}

/**
 * Queues records for one collector and POSTs them in batches off the request path. `append` only
 * pushes a string (it never waits and never throws); a batch goes out once `batchMaxRecords` or
 * `batchMaxBytes` are waiting, or `flushIntervalMs` after the oldest waiting record arrived. One
 * POST is in flight at a time; a failed one is retried with exponential backoff and jitter up to
 * `maxRetries` times. While the collector is slow or down, records wait up to `queueMaxRecords`
 * and `queueMaxBytes`; past either bound new records are dropped and counted, so memory stays
 * bounded by the queue plus the one batch in flight.
 */
export class LogShipper {
  private settings: ShipperSettings
  private log: Logger
  private records: string[] = []
  /** Byte length of each queued record, measured once on append. */
  private sizes: number[] = []
  private queuedBytes = 0
  private inFlight: Batch | undefined = undefined
  private backoff: NodeJS.Timeout | undefined = undefined
  private flushTimer: NodeJS.Timeout | undefined = undefined
  /** Set by the flush timer or `flush()`: send what waits even if it is not a full batch. */
  private due = false
  private closed = false
  private idleWaiters: Array<() => void> = []
  private readonly random: () => number
  private readonly now: () => number
  private readonly nextBatchId = batchIdSequence()
  private lastWarnMs = -Infinity
  private droppedSinceWarn = 0

  constructor (private readonly poster: BatchPoster, settings: ShipperSettings, log: Logger, options: ShipperOptions = {}) {
    this.settings = settings
    this.log = log
    this.random = options.random ?? Math.random
    this.now = options.now ?? Date.now
  }

  /** Takes the settings and logger of a newer config version. */
  configure (settings: ShipperSettings, log: Logger): void {
    this.settings = settings
    this.log = log
  }

  /** Records waiting (not counting the batch in flight). */
  get queuedRecords (): number {
    return this.records.length
  }

  /** Records not yet accepted by the collector: queued plus the batch in flight. */
  get pendingRecords (): number {
    return this.records.length + (this.inFlight?.records ?? 0)
  }

  /** Bytes of the records waiting (not counting the batch in flight). */
  get queuedRecordBytes (): number {
    return this.queuedBytes
  }

  /** Queues one record (a JSON line). Never blocks, never throws; drops and counts past the bounds. */
  append (record: string): void {
    if (this.closed) return this.drop(1, 'shutdown')
    const bytes = Buffer.byteLength(record)
    const s = this.settings
    if (this.records.length >= s.queueMaxRecords || this.queuedBytes + bytes > s.queueMaxBytes) return this.drop(1, 'queue-full')
    this.records.push(record)
    this.sizes.push(bytes)
    this.queuedBytes += bytes
    if (this.records.length >= s.batchMaxRecords || this.queuedBytes >= s.batchMaxBytes) this.pump()
    else this.flushTimer ??= this.startFlushTimer()
  }

  /**
   * Sends everything queued now, batch after batch (backoffs still apply). Resolves once the queue
   * is empty and nothing is in flight, or after `deadlineMs`, whichever comes first.
   */
  flush (deadlineMs: number): Promise<void> {
    this.due = true
    const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve))
    this.pump()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<void>((resolve) => { timer = setTimeout(resolve, deadlineMs) })
    return Promise.race([idle, deadline]).finally(() => clearTimeout(timer))
  }

  /**
   * Flushes (at most `deadlineMs`), then closes the collector's connections. Records still queued
   * or in flight then are dropped and counted (`shutdown`), as are later appends.
   */
  async close (deadlineMs: number): Promise<void> {
    await this.flush(deadlineMs)
    this.closed = true
    clearTimeout(this.backoff)
    clearTimeout(this.flushTimer)
    const left = this.pendingRecords
    this.records = []
    this.sizes = []
    this.queuedBytes = 0
    this.inFlight = undefined
    if (left > 0) this.drop(left, 'shutdown')
    await this.poster.close().catch((error: unknown) => this.log.warn({ err: error }, 'http-log: closing the collector connection failed'))
  }

  private startFlushTimer (): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.flushTimer = undefined
      this.due = true
      this.pump()
    }, this.settings.flushIntervalMs)
    timer.unref() // queued records must not keep a stopping worker alive; drain flushes them
    return timer
  }

  /** Starts the next POST unless one is in flight or backing off: a full batch, or any when due. */
  private pump (): void {
    if (this.closed || this.inFlight !== undefined) return
    if (this.records.length === 0) {
      this.due = false
      for (const resolve of this.idleWaiters.splice(0)) resolve()
      return
    }
    const s = this.settings
    if (!this.due && this.records.length < s.batchMaxRecords && this.queuedBytes < s.batchMaxBytes) {
      this.flushTimer ??= this.startFlushTimer()
      return
    }
    this.send(this.takeBatch())
  }

  /** The oldest records up to the batch bounds (always at least one). */
  private takeBatch (): Batch {
    const s = this.settings
    let count = 0
    let bytes = 0
    while (count < this.records.length && count < s.batchMaxRecords) {
      const next = this.sizes[count] as number
      if (count > 0 && bytes + next > s.batchMaxBytes) break
      bytes += next
      count++
    }
    const taken = this.records.splice(0, count)
    this.sizes.splice(0, count)
    this.queuedBytes -= bytes
    return { id: this.nextBatchId(), records: count, body: batchBody(taken, s.format), attempts: 0 }
  }

  private send (batch: Batch): void {
    this.inFlight = batch
    batch.attempts++
    void this.poster.post(batch.body, batch.id, this.settings.timeoutMs).then((outcome) => {
      if (this.inFlight !== batch) return // closed meanwhile: already counted
      if (outcome.ok) {
        httpLogCounters.sent.inc(batch.records)
        return this.done()
      }
      if (!outcome.retry) {
        this.drop(batch.records, 'rejected', outcome.reason)
        return this.done()
      }
      if (batch.attempts > this.settings.maxRetries) {
        this.drop(batch.records, 'retries-exhausted', outcome.reason)
        return this.done()
      }
      httpLogCounters.retries.inc()
      const waitMs = retryDelayMs(batch.attempts, this.settings.retryBaseMs, this.settings.retryMaxMs, this.random)
      this.backoff = setTimeout(() => {
        this.backoff = undefined
        if (this.inFlight === batch) this.send(batch)
      }, waitMs)
      this.backoff.unref()
    })
  }

  private done (): void {
    this.inFlight = undefined
    this.pump()
  }

  /** Counts dropped records; warns at most once per 10 s, with the count since the last warning. */
  private drop (records: number, reason: DropReason, detail?: string): void {
    httpLogCounters.dropped[reason].inc(records)
    this.droppedSinceWarn += records
    const nowMs = this.now()
    if (nowMs - this.lastWarnMs < WARN_INTERVAL_MS) return
    this.lastWarnMs = nowMs
    this.log.warn({ dropped_records: this.droppedSinceWarn, reason, detail }, 'http-log: records dropped')
    this.droppedSinceWarn = 0
  }
}
