import type { Logger } from '../../kit/logger.js'
import type { RedisHandle } from '../../kit/redis.js'
import { redisUsable, watchFirstReady } from '../_shared/redis-first-ready.js'
import type { LruNonceStore, NonceStore, NonceVerdict } from './nonce-store.js'

/** What a binding does with a nonce when Redis cannot be asked: accept on the worker LRU alone, or refuse. */
export type NonceRedisFailure = 'open' | 'closed'

/** Counters of the shared nonce store in this worker; read by tests and exported as metrics. */
export const nonceStoreStats = {
  /** SET NX calls sent, and those that failed (error, timeout, connection down). */
  redisCalls: 0,
  redisFailures: 0,
  /** Replays refused because another worker or node had the nonce (Redis said so, the LRU did not). */
  replaysSeenInRedis: 0,
  /** Requests decided without Redis during an outage: admitted on the LRU (open), refused (closed). */
  failOpenAdmitted: 0,
  failClosedRefused: 0,
  /** Outages seen (each logged once at warn), and whether one is going on. */
  outages: 0,
  degraded: false
}

/**
 * Nonces in the worker LRU and in Redis (`SET {prefix}nonce:<key> 1 NX PX <ms until expiry>`), so
 * a replay sent to another worker or another node is refused too. The LRU answers first: a replay
 * to the same worker costs no Redis call. A nonce new to the LRU is new to the cluster only when
 * the SET created the key.
 *
 * Redis unreachable (connection down, error, or `command_timeout_ms` passed): with `open` the LRU's
 * answer stands (replays to other workers go unseen during the outage); with `closed` the request
 * is refused as unverifiable and the nonce is forgotten again, so the client may retry with it.
 * Either way the first failure of an outage is logged at warn and every one is counted.
 */
export class RedisNonceStore implements NonceStore {
  private readonly keyPrefix: string

  constructor (
    private readonly local: LruNonceStore,
    private readonly redis: RedisHandle,
    private readonly failure: NonceRedisFailure,
    private readonly log: Logger
  ) {
    this.keyPrefix = `${redis.keyPrefix}nonce:`
    watchFirstReady(redis)
  }

  remember (key: string, expiresAtMs: number, nowMs: number): NonceVerdict | Promise<NonceVerdict> {
    if (!this.local.remember(key, expiresAtMs, nowMs)) return false
    if (this.redis.ready()) return this.setIfAbsent(key, expiresAtMs, nowMs)
    // A connection still opening for the first time is waited for (at most the command timeout).
    const usable = redisUsable(this.redis)
    if (usable === false) return this.unreachable(key, undefined)
    if (usable === true) return this.setIfAbsent(key, expiresAtMs, nowMs)
    return usable.then((ok) => ok ? this.setIfAbsent(key, expiresAtMs, nowMs) : this.unreachable(key, undefined))
  }

  /** SET NX PX: true when this call created the key. */
  private setIfAbsent (key: string, expiresAtMs: number, nowMs: number): Promise<NonceVerdict> {
    nonceStoreStats.redisCalls++
    const ttlMs = Math.max(1, Math.ceil(expiresAtMs - nowMs))
    return this.redis.client.set(this.keyPrefix + key, '1', 'PX', ttlMs, 'NX').then((reply) => {
      this.answered()
      if (reply === 'OK') return true
      nonceStoreStats.replaysSeenInRedis++
      return false
    }, (error: unknown) => this.unreachable(key, error))
  }

  private unreachable (key: string, error: unknown): NonceVerdict {
    if (error !== undefined) nonceStoreStats.redisFailures++
    if (!nonceStoreStats.degraded) {
      nonceStoreStats.degraded = true
      nonceStoreStats.outages++
      this.log.warn({ err: error, nonce_redis_failure: this.failure }, this.failure === 'open'
        ? 'merchant-signature: Redis unreachable; nonces are checked by this worker alone (replays to other workers go unseen) until it is back'
        : 'merchant-signature: Redis unreachable; signed requests are refused (503) until it is back')
    }
    if (this.failure === 'open') {
      nonceStoreStats.failOpenAdmitted++
      return true
    }
    nonceStoreStats.failClosedRefused++
    this.local.forget(key)
    return undefined
  }

  private answered (): void {
    if (!nonceStoreStats.degraded) return
    nonceStoreStats.degraded = false
    this.log.warn({}, 'merchant-signature: Redis reachable again; nonces are shared across workers and nodes again')
  }
}
