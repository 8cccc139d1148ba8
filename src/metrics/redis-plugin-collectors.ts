import { nonceStoreStats } from '../plugins/merchant-signature/redis-nonce-store.js'
import { clusterPolicyStats } from '../plugins/rate-limit/policies/cluster-link.js'
import { rateLimitFallbacks } from './cache-metrics.js'
import { setDegraded } from './degraded.js'
import { metrics } from './registry.js'

const leaseCalls = metrics.counter('tollgate_rate_limit_lease_calls_total', 'Lease calls of the cluster rate-limit policy to Redis, by result (ok, failed).', { labels: ['result'] })
const leaseTokens = metrics.counter('tollgate_rate_limit_lease_tokens_total', 'Tokens the cluster rate-limit policy leased from Redis and gave back unspent.', { labels: ['kind'] })
const clusterRefusals = metrics.counter('tollgate_rate_limit_cluster_refusals_total', 'Requests the cluster policy refused: by Redis (nothing left) or locally while the key was blocked.', { labels: ['by'] })
const nonceCalls = metrics.counter('tollgate_signature_nonce_redis_calls_total', 'SET NX calls of merchant-signature to Redis, by result (ok, failed).', { labels: ['result'] })
const nonceWithoutRedis = metrics.counter('tollgate_signature_nonce_without_redis_total', 'Signed requests decided without Redis during an outage: admitted on the worker LRU (open) or refused (closed).', { labels: ['rule'] })
const nonceReplaysInRedis = metrics.counter('tollgate_signature_nonce_replays_seen_in_redis_total', 'Replays refused because another worker or node had the nonce.')

/**
 * Copies the Redis-backed plugins' counters (rate-limit cluster policy, merchant-signature nonces)
 * into the registry on each snapshot, and their outage state into the degraded modes. The plugins
 * only bump plain numbers on the request path.
 */
export function addRedisPluginCollectors (): void {
  metrics.onCollect(() => {
    const rl = clusterPolicyStats
    rateLimitFallbacks.series('cluster', 'node-share').value = rl.fallbackAdmitted + rl.fallbackRefused
    leaseCalls.series('ok').value = rl.leaseCalls - rl.leaseFailures
    leaseCalls.series('failed').value = rl.leaseFailures
    leaseTokens.series('leased').value = rl.tokensLeased
    leaseTokens.series('returned').value = rl.tokensReturned
    clusterRefusals.series('redis').value = rl.refusedByRedis
    clusterRefusals.series('blocked').value = rl.refusedWhileBlocked
    setDegraded('rate-limit-redis-unreachable', rl.degraded)
    const nonces = nonceStoreStats
    nonceCalls.series('ok').value = nonces.redisCalls - nonces.redisFailures
    nonceCalls.series('failed').value = nonces.redisFailures
    nonceWithoutRedis.series('open').value = nonces.failOpenAdmitted
    nonceWithoutRedis.series('closed').value = nonces.failClosedRefused
    nonceReplaysInRedis.series().value = nonces.replaysSeenInRedis
    setDegraded('signature-nonces-redis-unreachable', nonces.degraded)
  })
}
