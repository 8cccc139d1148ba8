import { LRUCache } from 'lru-cache'
import { lockEntry, outcomeOf, responseEntry, type BeginOutcome, type Entry, type IdempotencyStore, type StoredResponse } from './store.js'

/** Bytes counted per entry besides its body and headers (key, object, timers): an estimate. */
const ENTRY_OVERHEAD_BYTES = 256

function sizeOf (entry: Entry, key: string): number {
  if ('lock' in entry) return ENTRY_OVERHEAD_BYTES + key.length
  let size = ENTRY_OVERHEAD_BYTES + key.length + entry.body.length
  for (const text of entry.headers) size += text.length
  return size
}

/**
 * Keys in the worker's memory: an LRU bounded in bytes, each entry with its own TTL. Seen only by
 * this worker; a gateway with several workers needs Redis for a duplicate to meet its original.
 */
export class WorkerStore implements IdempotencyStore {
  private readonly entries: LRUCache<string, Entry>

  /** `now` is the clock in ms (injected by tests); defaults to performance.now(). */
  constructor (maxBytes: number, now?: () => number) {
    this.entries = new LRUCache<string, Entry>({
      maxSize: maxBytes,
      sizeCalculation: sizeOf,
      ttlAutopurge: false,
      // Read the clock on every check: a lock must not outlive its TTL by the cache's rounding.
      ttlResolution: 0,
      ...(now === undefined ? {} : { perf: { now } })
    })
  }

  begin (key: string, fingerprint: string, token: string, lockTtlMs: number): Promise<BeginOutcome> {
    const entry = this.entries.get(key)
    if (entry !== undefined) return Promise.resolve(outcomeOf(entry))
    this.entries.set(key, lockEntry(fingerprint, token), { ttl: lockTtlMs })
    return Promise.resolve({ kind: 'acquired' })
  }

  complete (key: string, fingerprint: string, token: string, response: StoredResponse, ttlMs: number): Promise<void> {
    if (this.holds(key, token)) this.entries.set(key, responseEntry(fingerprint, response), { ttl: ttlMs })
    return Promise.resolve()
  }

  release (key: string, _fingerprint: string, token: string): Promise<void> {
    if (this.holds(key, token)) this.entries.delete(key)
    return Promise.resolve()
  }

  private holds (key: string, token: string): boolean {
    const entry = this.entries.get(key)
    return entry !== undefined && 'lock' in entry && entry.lock === token
  }
}
