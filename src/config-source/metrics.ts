import { cacheLookups, configLagSeconds } from '../metrics/cache-metrics.js'
import { setDegraded } from '../metrics/degraded.js'
import { metrics } from '../metrics/registry.js'
import type { ConfigSourceStats } from './stats.js'

const appliedVersion = metrics.gauge('tollgate_config_applied_version', 'Newest config version this worker applied (control-plane mode).', { labels: ['worker'], aggregator: 'min' })
const behindVersions = metrics.gauge('tollgate_config_behind_versions', 'Config versions this worker is behind cfg:version (control-plane mode).', { labels: ['worker'], aggregator: 'max' })
const fullFlushes = metrics.counter('tollgate_config_full_flushes_total', 'Full L1 flushes (stream trimmed, Redis flushed or replaced, subscriber back).')
const unavailable = metrics.counter('tollgate_config_unavailable_total', 'Lookups answered 503 TG_CONFIG_UNAVAILABLE (nothing cached, Redis and the config service down).')

let current: { stats: ConfigSourceStats, slot: string } | undefined

/**
 * Publishes the running source's stats on each metrics snapshot (read, not counted: the hot path
 * only increments plain fields). Called per source start; the last source wins.
 */
export function publishConfigSourceMetrics (stats: ConfigSourceStats, slot: string): void {
  if (current === undefined) metrics.onCollect(collect)
  current = { stats, slot }
}

function collect (): void {
  if (current === undefined) return
  const { stats, slot } = current
  const l1Positive = stats.l1Hits - stats.negativeHits
  cacheLookups.series('config', 'l1', 'hit').value = l1Positive
  cacheLookups.series('config', 'l1', 'negative').value = stats.negativeHits
  cacheLookups.series('config', 'l2', 'hit').value = stats.l2Hits
  cacheLookups.series('config', 'origin', 'hit').value = stats.l3Hits
  cacheLookups.series('config', 'l1', 'stale').value = stats.staleServed
  fullFlushes.series().value = stats.fullFlushes
  unavailable.series().value = stats.unavailable
  appliedVersion.series(slot).set(stats.appliedVersion)
  behindVersions.series(slot).set(stats.behindVersions)
  configLagSeconds.series(slot).set(stats.behindSeconds(Date.now()))
  setDegraded('config-redis-unreachable', stats.redisDown)
  setDegraded('config-service-unreachable', stats.rpcDown)
  setDegraded('config-subscriber-down', stats.subscriberDown)
  setDegraded('config-from-snapshot-file', stats.fromSnapshotFile)
}
