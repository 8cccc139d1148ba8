import { resolve } from 'node:path'
import type { Logger } from '../../kit/logger.js'
import { defaultSinkFactory, type SinkFactory } from './sink.js'
import { LogWriter, type WriterSettings } from './writer.js'
import type { RotationSettings } from './rotation.js'

/** Options of a {@link LogWriterPool}; tests inject sinks and clocks. */
export interface LogWriterPoolOptions {
  /** Default: a file opened with O_APPEND, or stdout for "-". */
  createSink?: SinkFactory
  /** Clock for warning intervals, epoch ms. Default `Date.now`. */
  now?: () => number
}

/** One writer per file however the path is spelled ("./a.log", "a.log"); "-" stays stdout. */
function keyOf (path: string): string {
  return path === '-' ? path : resolve(path)
}

interface Entry {
  readonly writer: LogWriter
  refs: number
  /** The newest binding's rotation settings for the path; the sink reads them on each write. */
  rotation: RotationSettings | undefined
}

/**
 * The writers of one worker, one per path, reference-counted by the bindings (of every config
 * version) that use them. A reload compiles the new version before the old is destroyed, so the
 * count never reaches zero and buffered lines stay in the same writer; even in the other order the
 * last release flushes before closing, so nothing is lost.
 */
export class LogWriterPool {
  private readonly entries = new Map<string, Entry>()
  private readonly createSink: SinkFactory
  private readonly now: () => number

  constructor (options: LogWriterPoolOptions = {}) {
    this.createSink = options.createSink ?? defaultSinkFactory
    this.now = options.now ?? Date.now
  }

  /** The writer of `path`, created on first use; the latest settings and logger apply to it. */
  acquire (path: string, settings: WriterSettings, log: Logger, rotation?: RotationSettings): LogWriter {
    path = keyOf(path)
    const existing = this.entries.get(path)
    if (existing !== undefined) {
      existing.refs++
      existing.rotation = rotation
      existing.writer.configure(settings, log)
      return existing.writer
    }
    const entry: { writer?: LogWriter, refs: number, rotation: RotationSettings | undefined } = { refs: 1, rotation }
    const writer = new LogWriter(path, this.createSink(path, () => entry.rotation), settings, log, this.now)
    entry.writer = writer
    this.entries.set(path, entry as Entry)
    return writer
  }

  /** Drops one reference; the last one flushes and closes the writer. Resolves when that is done. */
  async release (writer: LogWriter): Promise<void> {
    const entry = this.entries.get(writer.path)
    if (entry === undefined || entry.writer !== writer) return
    if (--entry.refs > 0) return
    this.entries.delete(writer.path)
    await writer.close()
  }

  /** The live writer of `path`, if any. */
  get (path: string): LogWriter | undefined {
    return this.entries.get(keyOf(path))?.writer
  }

  /** Flushes every writer (graceful stop). */
  async flushAll (): Promise<void> {
    await Promise.all([...this.entries.values()].map((entry) => entry.writer.flush()))
  }
}
