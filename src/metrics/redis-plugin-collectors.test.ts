import assert from 'node:assert/strict'
import { test } from 'node:test'
import { nonceStoreStats } from '../plugins/merchant-signature/redis-nonce-store.js'
import { clusterPolicyStats } from '../plugins/rate-limit/policies/cluster-link.js'
import { degradedModes } from './degraded.js'
import { metrics } from './registry.js'
import { addRedisPluginCollectors } from './redis-plugin-collectors.js'

/** The value of one series in the global registry's snapshot. */
function valueOf (name: string, labels: Record<string, string> = {}): number | undefined {
  const family = metrics.snapshot().find((f) => f.name === name)
  return family?.values.find((v) => Object.entries(labels).every(([k, x]) => v.labels[k] === x))?.value
}

void test('the plugins\' counters and outage state reach the registry on each snapshot', () => {
  addRedisPluginCollectors()
  Object.assign(clusterPolicyStats, { leaseCalls: 10, leaseFailures: 3, tokensLeased: 500, tokensReturned: 40, fallbackAdmitted: 7, fallbackRefused: 2, refusedByRedis: 4, refusedWhileBlocked: 90, degraded: true })
  Object.assign(nonceStoreStats, { redisCalls: 20, redisFailures: 1, failOpenAdmitted: 5, failClosedRefused: 0, replaysSeenInRedis: 2, degraded: false })
  assert.equal(valueOf('tollgate_rate_limit_fallbacks_total', { policy: 'cluster', fallback: 'node-share' }), 9)
  assert.equal(valueOf('tollgate_rate_limit_lease_calls_total', { result: 'ok' }), 7)
  assert.equal(valueOf('tollgate_rate_limit_lease_calls_total', { result: 'failed' }), 3)
  assert.equal(valueOf('tollgate_rate_limit_lease_tokens_total', { kind: 'returned' }), 40)
  assert.equal(valueOf('tollgate_rate_limit_cluster_refusals_total', { by: 'blocked' }), 90)
  assert.equal(valueOf('tollgate_signature_nonce_redis_calls_total', { result: 'ok' }), 19)
  assert.equal(valueOf('tollgate_signature_nonce_without_redis_total', { rule: 'open' }), 5)
  assert.equal(valueOf('tollgate_signature_nonce_replays_seen_in_redis_total'), 2)
  assert.deepEqual(degradedModes().filter((m) => m.includes('redis')), ['rate-limit-redis-unreachable'])
  clusterPolicyStats.degraded = false
  metrics.snapshot()
  assert.deepEqual(degradedModes().filter((m) => m.includes('redis')), [])
})
