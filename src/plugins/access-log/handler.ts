import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { accessLogLine } from '../_shared/access-log-line.js'
import { accessLogSchema, type AccessLogConfig } from './schema.js'
import { LogWriterPool } from './writer-pool.js'
import type { LogWriter } from './writer.js'

/** What access-log compiles a binding's config into. */
export interface AccessLogState {
  readonly writer: LogWriter
  readonly includeQuery: boolean
  /** Unsubscribes the binding from the worker's reopen-logs and drain events. */
  readonly unsubscribe: () => void
}

/** The writers of this worker for the bundled plugin. */
const workerPool = new LogWriterPool()

/** Writes every pending access-log batch of this worker; for a gateway that stops without a drain event. */
export function flushAccessLogs (): Promise<void> {
  return workerPool.flushAll()
}

/** Builds the access-log plugin over a writer pool; {@link accessLog} is the bundled instance. */
export function createAccessLog (pool: LogWriterPool = workerPool): PluginDefinition<typeof accessLogSchema, AccessLogState> {
  return definePlugin({
    name: 'access-log',
    version: '1.0.0',
    priority: PRIORITY.logging,
    schema: accessLogSchema,

    compile (config: AccessLogConfig, env: PluginEnv): AccessLogState {
      if (config.max_pending_bytes < config.buffer_bytes) {
        // A batch could never fill: every line past max_pending_bytes would be dropped.
        throw new Error(`max_pending_bytes (${config.max_pending_bytes}) must be at least buffer_bytes (${config.buffer_bytes})`)
      }
      const writer = pool.acquire(config.path, {
        bufferBytes: config.buffer_bytes,
        flushIntervalMs: config.flush_interval_ms,
        maxPendingBytes: config.max_pending_bytes
      }, env.log, config.max_bytes > 0 && config.path !== '-' ? { maxBytes: config.max_bytes, keep: config.keep } : undefined)
      const offReopen = env.on('reopen-logs', () => writer.reopen())
      // The worker waits for the promise (bounded by its drain timeout) before it exits.
      const offDrain = env.on('drain', () => writer.flush())
      return { writer, includeQuery: config.include_query, unsubscribe: () => { offReopen(); offDrain() } }
    },

    destroy (state) {
      state.unsubscribe()
      void pool.release(state.writer)
    },

    log (ctx, state) {
      state.writer.append(accessLogLine(ctx, state.includeQuery))
    }
  })
}

/** access-log: one JSON line per request, batched and appended to a file off the request path. */
export const accessLog = createAccessLog()
