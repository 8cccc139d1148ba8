import { test } from 'node:test'
import assert from 'node:assert/strict'
import { degradedModes } from '../metrics/degraded.js'
import { metrics } from '../metrics/registry.js'
import { publishConfigSourceMetrics } from './metrics.js'
import { ConfigSourceStats } from './stats.js'

function valueOf (name: string, labels: Record<string, string>): number | undefined {
  const family = metrics.snapshot().find((m) => m.name === name)
  return family?.values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value
}

void test('the source stats appear as metrics and degraded modes on each snapshot', () => {
  const stats = new ConfigSourceStats()
  publishConfigSourceMetrics(stats, '3')
  stats.l1Hits = 10
  stats.negativeHits = 4
  stats.l2Hits = 2
  stats.l3Hits = 1
  stats.staleServed = 5
  stats.appliedVersion = 40
  stats.latestVersion = 42
  stats.redisDown = true
  assert.equal(valueOf('tollgate_cache_lookups_total', { cache: 'config', level: 'l1', result: 'hit' }), 6)
  assert.equal(valueOf('tollgate_cache_lookups_total', { cache: 'config', level: 'l1', result: 'negative' }), 4)
  assert.equal(valueOf('tollgate_cache_lookups_total', { cache: 'config', level: 'origin', result: 'hit' }), 1)
  assert.equal(valueOf('tollgate_cache_lookups_total', { cache: 'config', level: 'l1', result: 'stale' }), 5)
  assert.equal(valueOf('tollgate_config_applied_version', { worker: '3' }), 40)
  assert.equal(valueOf('tollgate_config_behind_versions', { worker: '3' }), 2)
  assert.ok(degradedModes().includes('config-redis-unreachable'))
  stats.redisDown = false
  metrics.snapshot()
  assert.ok(!degradedModes().includes('config-redis-unreachable'))
})
