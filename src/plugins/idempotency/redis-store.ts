import type { RedisHandle } from '../../kit/redis.js'
import { lockEntry, outcomeOf, responseEntry, type BeginOutcome, type Entry, type IdempotencyStore, type StoredResponse } from './store.js'

// Compare-and-set and compare-and-delete on the lock value: only the request that holds a key
// turns it into a response or frees it, even after its lock expired and another request took it.
const COMPLETE = "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 end return 0"
const RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0"

/** Thrown when Redis cannot be used (down, or a command failed): the plugin applies `redis_failure`. */
export class RedisUnavailable extends Error {}

/**
 * Keys in Redis, shared by every worker and gateway node: the lock is `SET key lock NX PX`, the
 * response replaces it with an expiry, a duplicate reads it with GET. Commands fail fast (the
 * worker's connection has no offline queue), so a dead Redis costs a request one short timeout.
 */
export class RedisStore implements IdempotencyStore {
  constructor (private readonly redis: RedisHandle) {}

  async begin (key: string, fingerprint: string, token: string, lockTtlMs: number): Promise<BeginOutcome> {
    const client = this.ready()
    const lock = JSON.stringify(lockEntry(fingerprint, token))
    // Twice at most: a key released between our SET and GET is free again.
    for (let attempt = 0; attempt < 2; attempt++) {
      if (await this.call(client.set(key, lock, 'PX', lockTtlMs, 'NX')) === 'OK') return { kind: 'acquired' }
      const found = await this.call(client.get(key))
      if (found !== null) return outcomeOf(JSON.parse(found) as Entry)
    }
    throw new RedisUnavailable('the idempotency key changed hands twice while it was read')
  }

  async complete (key: string, fingerprint: string, token: string, response: StoredResponse, ttlMs: number): Promise<void> {
    const lock = JSON.stringify(lockEntry(fingerprint, token))
    await this.call(this.ready().eval(COMPLETE, 1, key, lock, JSON.stringify(responseEntry(fingerprint, response)), ttlMs))
  }

  async release (key: string, fingerprint: string, token: string): Promise<void> {
    await this.call(this.ready().eval(RELEASE, 1, key, JSON.stringify(lockEntry(fingerprint, token))))
  }

  private ready (): RedisHandle['client'] {
    if (!this.redis.ready()) throw new RedisUnavailable('redis is not connected')
    return this.redis.client
  }

  private async call<T> (command: Promise<T>): Promise<T> {
    try {
      return await command
    } catch (error) {
      throw new RedisUnavailable('redis command failed', { cause: error })
    }
  }
}
