import { monitorEventLoopDelay } from 'node:perf_hooks'
import { pluginFailureCounts } from '../pipeline/plugin-failures.js'
import { accessLogStats } from '../plugins/access-log/index.js'
import type { TargetRegistry } from '../upstream/targets.js'
import { metrics } from './registry.js'

const heapUsed = metrics.gauge('tollgate_worker_heap_used_bytes', 'V8 heap in use, per worker slot.', { labels: ['worker'] })
const heapTotal = metrics.gauge('tollgate_worker_heap_total_bytes', 'V8 heap reserved, per worker slot.', { labels: ['worker'] })
const rss = metrics.gauge('tollgate_worker_resident_memory_bytes', 'Resident set size, per worker slot.', { labels: ['worker'] })
const loopDelay = metrics.gauge('tollgate_worker_event_loop_delay_seconds', 'Event-loop delay per worker slot since the previous snapshot (mean, p99, max).', { labels: ['worker', 'stat'] })
const inFlight = metrics.gauge('tollgate_upstream_target_in_flight', 'Attempts in flight per target, summed over workers.', { labels: ['service', 'target'] })
const ejected = metrics.gauge('tollgate_upstream_target_ejected_workers', 'Workers that currently eject the target (passive health is per worker); 0 = healthy everywhere.', { labels: ['service', 'target'] })
const pluginErrors = metrics.counter('tollgate_plugin_errors_total', 'Unexpected plugin failures (answered 500 or logged in the log phase), by plugin.', { labels: ['plugin'] })
const accessLogDrops = metrics.counter('tollgate_access_log_dropped_lines_total', 'Access-log lines dropped behind a slow or failing write.')

/** What the collectors read from the worker. */
export interface WorkerSources {
  readonly slot: string
  readonly targets: TargetRegistry
  /** Service id → its target ids in the running config. */
  readonly serviceTargets: () => ReadonlyMap<string, readonly string[]>
  /** The clock the balancers use for ejections (ms). */
  readonly nowMs: () => number
}

/**
 * Values read, not counted, on each snapshot: memory, event-loop delay, target states, plugin
 * failures and access-log drops. Nothing here runs on the request path.
 */
export function addWorkerCollectors (sources: WorkerSources): void {
  const histogram = monitorEventLoopDelay({ resolution: 20 })
  histogram.enable()
  const slot = sources.slot
  metrics.onCollect(() => {
    const memory = process.memoryUsage()
    heapUsed.series(slot).set(memory.heapUsed)
    heapTotal.series(slot).set(memory.heapTotal)
    rss.series(slot).set(memory.rss)
    // The histogram is in nanoseconds; it is empty until the loop was sampled once.
    if (histogram.count > 0) {
      loopDelay.series(slot, 'mean').set(histogram.mean / 1e9)
      loopDelay.series(slot, 'p99').set(histogram.percentile(99) / 1e9)
      loopDelay.series(slot, 'max').set(histogram.max / 1e9)
      histogram.reset()
    }
    // Rebuilt each time, so targets removed from the config disappear.
    inFlight.clear()
    ejected.clear()
    const now = sources.nowMs()
    for (const [service, ids] of sources.serviceTargets()) {
      for (const id of ids) {
        const state = sources.targets.peek(id)
        inFlight.series(service, id).set(state?.inFlight ?? 0)
        ejected.series(service, id).set(state !== undefined && now < state.ejectedUntilMs ? 1 : 0)
      }
    }
    for (const [plugin, count] of pluginFailureCounts) pluginErrors.series(plugin).value = count
    accessLogDrops.series().value = accessLogStats().droppedLines
  })
}
