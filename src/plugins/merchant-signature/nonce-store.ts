import { LRUCache } from 'lru-cache'

/**
 * Where merchant-signature remembers the nonces it accepted, so a captured request cannot be sent
 * again while its timestamp is still inside the window. One small interface so the Redis store of
 * DESIGN.md §9 (`SET … NX PX …`, redis-nonce-store.ts) can sit beside the worker LRU; `remember`
 * may return a promise for it. The local store never does.
 */
export interface NonceStore {
  /**
   * Records `key` until `expiresAtMs` (epoch ms) unless it is already recorded and unexpired at
   * `nowMs`.
   * @returns true when the key was new (the request may pass), false when it was seen (a replay),
   *   undefined when the store cannot tell (a shared store that is down and set to fail closed).
   */
  remember (key: string, expiresAtMs: number, nowMs: number): NonceVerdict | Promise<NonceVerdict>
}

/** What {@link NonceStore.remember} answers: new, a replay, or unknown. */
export type NonceVerdict = boolean | undefined

/**
 * Nonces in this worker's memory, at most `capacity` of them, least recently recorded forgotten
 * first. Each entry holds its own expiry, compared with the caller's clock, so tests run on a fake
 * clock and no timer is needed; expired entries are simply the oldest and go first.
 *
 * Protection is per worker: a replay sent to another worker, or sent after `capacity` newer nonces
 * pushed it out, is not detected here. That is what the shared Redis store is for.
 */
export class LruNonceStore implements NonceStore {
  readonly capacity: number
  private readonly seen: LRUCache<string, number>

  constructor (capacity: number) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`LruNonceStore: capacity must be a positive integer, got ${capacity}`)
    this.capacity = capacity
    this.seen = new LRUCache<string, number>({ max: capacity })
  }

  remember (key: string, expiresAtMs: number, nowMs: number): boolean {
    const expiry = this.seen.peek(key)
    if (expiry !== undefined && expiry > nowMs) return false
    this.seen.set(key, expiresAtMs)
    return true
  }

  /** Forgets `key` (a nonce whose request was not admitted after all, so the client may retry with it). */
  forget (key: string): void {
    this.seen.delete(key)
  }

  /** Nonces held (expired ones included until they are pushed out). */
  get size (): number {
    return this.seen.size
  }
}

/**
 * The local stores of one plugin instance (one per worker), by capacity: bindings with the same
 * `nonce_cache_size` share a store, and a reload that keeps the size keeps the nonces (the new
 * version acquires before the old one releases). A store is dropped when nothing holds it.
 */
export class LocalNonceStores {
  private readonly stores = new Map<number, { store: LruNonceStore, refs: number }>()

  acquire (capacity: number): LruNonceStore {
    let entry = this.stores.get(capacity)
    if (entry === undefined) {
      entry = { store: new LruNonceStore(capacity), refs: 0 }
      this.stores.set(capacity, entry)
    }
    entry.refs++
    return entry.store
  }

  release (capacity: number): void {
    const entry = this.stores.get(capacity)
    if (entry === undefined) return
    if (--entry.refs <= 0) this.stores.delete(capacity)
  }

  /** Stores currently held, for tests. */
  get count (): number {
    return this.stores.size
  }
}
