import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { accessLogLine } from '../_shared/access-log-line.js'
import { defaultContentType } from './batch-body.js'
import { BATCH_ID_HEADER } from './batch-id.js'
import type { Destination } from './collector-client.js'
import { httpLogSchema, type HttpLogConfig } from './schema.js'
import type { LogShipper, ShipperSettings } from './shipper.js'
import { ShipperPool } from './shipper-pool.js'

/** What http-log compiles a binding's config into. */
export interface HttpLogState {
  readonly shipper: LogShipper
  readonly includeQuery: boolean
  readonly drainTimeoutMs: number
  /** Unsubscribes the binding from the worker's drain event. */
  readonly unsubscribe: () => void
}

/** The shippers of this worker for the bundled plugin. */
const workerPool = new ShipperPool()

/** Refuses settings that cannot work together (schema bounds are checked before). */
function checkConsistency (config: HttpLogConfig): void {
  if (config.retry_max_ms < config.retry_base_ms) throw new Error(`retry_max_ms (${config.retry_max_ms}) must be at least retry_base_ms (${config.retry_base_ms})`)
  // A batch that can never fill would wait for the timer every time: a config mistake.
  if (config.queue_max_records < config.batch_max_records) throw new Error(`queue_max_records (${config.queue_max_records}) must be at least batch_max_records (${config.batch_max_records})`)
  if (config.queue_max_bytes < config.batch_max_bytes) throw new Error(`queue_max_bytes (${config.queue_max_bytes}) must be at least batch_max_bytes (${config.batch_max_bytes})`)
  // A fixed value would make every batch look like a duplicate of the first to the collector.
  if (Object.keys(config.headers).some((name) => name.toLowerCase() === BATCH_ID_HEADER)) throw new Error(`headers must not set ${BATCH_ID_HEADER}: http-log sets it on each batch`)
}

function destinationOf (config: HttpLogConfig): Destination {
  const headers: Record<string, string> = {}
  for (const [name, value] of Object.entries(config.headers)) headers[name.toLowerCase()] = value
  return { url: config.url, contentType: config.content_type ?? defaultContentType(config.format), headers }
}

function settingsOf (config: HttpLogConfig): ShipperSettings {
  return {
    format: config.format,
    timeoutMs: config.timeout_ms,
    batchMaxRecords: config.batch_max_records,
    batchMaxBytes: config.batch_max_bytes,
    flushIntervalMs: config.flush_interval_ms,
    maxRetries: config.max_retries,
    retryBaseMs: config.retry_base_ms,
    retryMaxMs: config.retry_max_ms,
    queueMaxRecords: config.queue_max_records,
    queueMaxBytes: config.queue_max_bytes
  }
}

/** Builds the http-log plugin over a shipper pool; {@link httpLog} is the bundled instance. */
export function createHttpLog (pool: ShipperPool = workerPool): PluginDefinition<typeof httpLogSchema, HttpLogState> {
  return definePlugin({
    name: 'http-log',
    version: '1.0.0',
    priority: PRIORITY.logging,
    schema: httpLogSchema,

    compile (config: HttpLogConfig, env: PluginEnv): HttpLogState {
      checkConsistency(config)
      const shipper = pool.acquire(destinationOf(config), settingsOf(config), env.log)
      // The worker waits for the promise (also bounded by its own drain timeout) before it exits.
      const unsubscribe = env.on('drain', async () => {
        await shipper.flush(config.drain_timeout_ms)
        const left = shipper.pendingRecords
        if (left > 0) env.log.warn({ records: left }, 'http-log: records not sent before the drain deadline; lost with the worker')
      })
      return { shipper, includeQuery: config.include_query, drainTimeoutMs: config.drain_timeout_ms, unsubscribe }
    },

    destroy (state) {
      state.unsubscribe()
      void pool.release(state.shipper, state.drainTimeoutMs)
    },

    log (ctx, state) {
      state.shipper.append(accessLogLine(ctx, state.includeQuery))
    }
  })
}

/** http-log: the access-log record of each request, POSTed in batches to a collector off the request path. */
export const httpLog = createHttpLog()
