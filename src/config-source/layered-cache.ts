import { performance } from 'node:perf_hooks'
import { LRUCache } from 'lru-cache'
import type { ConfigSourceSettings } from '../config/schema/config-source.js'
import { GatewayError } from '../errors.js'
import type { Logger } from '../kit/logger.js'
import { cacheKey, type StoredEntity } from './entity.js'
import type { ConfigSourceStats } from './stats.js'

/** Builds the object plugins use from an entity body, once per entity version. Throws on a bad body. */
export type CompileEntity = (kind: string, key: string, body: unknown) => unknown

/** Where a load goes after L1: L2 then L3 (see `EntityLevels` in control-plane-source.ts). */
export interface EntityLoader {
  /** The entity (a tombstone included) or undefined when it does not exist; throws when no level could answer. */
  load (kind: string, key: string): Promise<StoredEntity | undefined>
  /** The entity from L3 alone (used when L2 answered a version older than an eviction). */
  loadFromL3 (kind: string, key: string): Promise<StoredEntity | undefined>
}

interface L1Entry {
  readonly value: unknown
  readonly version: number
  readonly bytes: number
  /** performance.now() after which the entry must be reloaded (0 after a flush). */
  freshUntil: number
  /** Served only because L2 and L3 failed: each hit on it counts as stale served. */
  stale: boolean
}

type L1Settings = ConfigSourceSettings['l1']

/** The `retry-after` of TG_CONFIG_UNAVAILABLE, seconds: about one poll period. */
const RETRY_AFTER_SECONDS = '1'
/** While both levels fail, a resurrected entry is served this long before the next load is tried, ms. */
const RESURRECT_RETRY_MS = 1000
/** Compiled objects hold the body several times over (parsed strings, maps, frozen copies). */
const COMPILED_BYTES_PER_STORED_BYTE = 3
const ENTRY_OVERHEAD_BYTES = 256

export interface LayeredCacheOptions {
  readonly l1: L1Settings
  readonly loader: EntityLoader
  readonly compile: CompileEntity
  readonly stats: ConfigSourceStats
  readonly log: Logger
  /** Clock in ms (default performance.now) and randomness for the TTL jitter (default Math.random). */
  readonly now?: () => number
  readonly random?: () => number
}

/**
 * One worker's L1 in front of L2/L3 (DESIGN.md §5). `get` answers an L1 hit synchronously with no
 * I/O; a miss starts one load per key however many requests wait (single flight); a key that does
 * not exist is remembered in a separate small LRU, so floods of unknown keys cannot evict real
 * entries. When L2 and L3 both fail, an entry within its resurrect window is served stale;
 * without one the lookup fails with TG_CONFIG_UNAVAILABLE (503, retry-after).
 *
 * Single flight is a map of in-flight promises rather than lru-cache's `fetch()`: a load that an
 * invalidation overtook must be answered to its waiters without being stored, and the stale
 * fallback needs its own resurrect window — both are decisions `fetch()` would make for us.
 */
export class LayeredCache {
  private readonly l1: LRUCache<string, L1Entry>
  private readonly negative: LRUCache<string, number>
  /** Highest version each key was evicted at: a load answering older is dropped (fill-after-invalidate). */
  private readonly evictedAt: LRUCache<string, number>
  private readonly inflight = new Map<string, Promise<unknown>>()
  private readonly settings: L1Settings
  private readonly now: () => number
  private readonly random: () => number

  constructor (private readonly options: LayeredCacheOptions) {
    const l1 = options.l1
    if (l1.jitter < 0 || l1.jitter >= 1) throw new Error(`LayeredCache: l1.jitter must be in [0, 1) (got ${l1.jitter})`)
    this.settings = l1
    this.now = options.now ?? (() => performance.now())
    this.random = options.random ?? Math.random
    // lru-cache's own TTL is the entry's whole life: its TTL plus the resurrect window.
    this.l1 = new LRUCache<string, L1Entry>({
      maxSize: l1.max_bytes,
      sizeCalculation: (entry) => entry.bytes,
      ttl: Math.ceil(l1.ttl_ms * (1 + l1.jitter)) + l1.resurrect_ms
    })
    this.negative = new LRUCache<string, number>({ max: l1.negative_max_entries, ttl: l1.negative_ttl_ms })
    this.evictedAt = new LRUCache<string, number>({ max: 100_000, ttl: l1.ttl_ms + l1.resurrect_ms })
  }

  /**
   * The compiled entity, undefined when it does not exist (or is deleted), or a promise of either
   * on an L1 miss. The promise rejects with GatewayError TG_CONFIG_UNAVAILABLE when L2 and L3 both
   * failed and no stale copy is left.
   */
  get (kind: string, key: string): unknown {
    const id = cacheKey(kind, key)
    const entry = this.l1.get(id)
    const stats = this.options.stats
    if (entry !== undefined && entry.freshUntil > this.now()) {
      stats.l1Hits++
      if (entry.stale) stats.staleServed++
      return entry.value
    }
    if (entry === undefined && this.negative.get(id) !== undefined) {
      stats.l1Hits++
      stats.negativeHits++
      return undefined
    }
    let pending = this.inflight.get(id)
    if (pending === undefined) {
      const started = this.loadOnce(id, kind, key)
      pending = started
      void started.finally(() => { if (this.inflight.get(id) === started) this.inflight.delete(id) }).catch(() => {})
      this.inflight.set(id, started)
    }
    return pending
  }

  /**
   * The entity changed at `version`: forget it (unless L1 already holds that version or newer) and
   * drop loads that answer older. The old copy is not kept as a fallback: it is known to be wrong.
   */
  evict (kind: string, key: string, version: number): void {
    const id = cacheKey(kind, key)
    const current = this.l1.peek(id, { allowStale: true })
    if (current !== undefined && current.version >= version && !current.stale) return
    if ((this.evictedAt.get(id) ?? -1) < version) this.evictedAt.set(id, version)
    this.l1.delete(id)
    this.negative.delete(id)
    this.inflight.delete(id)
    this.options.stats.evictions++
  }

  /**
   * Every entry must be loaded again, but is kept as the stale fallback (the cause — a trimmed
   * stream, a replaced Redis, a deaf subscriber — says nothing about which entries changed).
   */
  flush (): void {
    for (const entry of this.l1.values()) entry.freshUntil = 0
    this.negative.clear()
    this.inflight.clear()
    this.options.stats.fullFlushes++
  }

  /** Entries (positive) and their estimated bytes. */
  get size (): { entries: number, bytes: number, negative: number } {
    return { entries: this.l1.size, bytes: this.l1.calculatedSize, negative: this.negative.size }
  }

  private async loadOnce (id: string, kind: string, key: string): Promise<unknown> {
    let stored: StoredEntity | undefined
    try {
      stored = await this.options.loader.load(kind, key)
      const evicted = this.evictedAt.get(id)
      if (stored !== undefined && evicted !== undefined && stored.version < evicted) {
        // L2 answered from before the change we were told about: ask the source of truth.
        stored = await this.options.loader.loadFromL3(kind, key)
      }
    } catch (error) {
      return this.fallback(id, error)
    }
    const evicted = this.evictedAt.get(id)
    const superseded = evicted !== undefined && (stored?.version ?? 0) < evicted
    if (superseded) this.options.stats.droppedLoads++
    if (stored === undefined || stored.deleted) {
      if (!superseded) {
        this.negative.set(id, stored?.version ?? 0)
        this.l1.delete(id)
      }
      return undefined
    }
    let value: unknown
    try {
      value = this.options.compile(kind, key, stored.body)
    } catch (error) {
      this.options.log.error({ err: error, kind, key, version: stored.version }, 'config cache: entity refused (body does not compile); treated as a failed load')
      return this.fallback(id, error)
    }
    if (superseded) return value
    const current = this.l1.peek(id, { allowStale: true })
    if (current !== undefined && current.version > stored.version && !current.stale) return current.value
    const ttl = this.settings.ttl_ms * (1 + (this.random() * 2 - 1) * this.settings.jitter)
    this.l1.set(id, {
      value,
      version: stored.version,
      bytes: stored.bytes * COMPILED_BYTES_PER_STORED_BYTE + ENTRY_OVERHEAD_BYTES,
      freshUntil: this.now() + ttl,
      stale: false
    }, { ttl: Math.ceil(ttl) + this.settings.resurrect_ms })
    this.negative.delete(id)
    return value
  }

  /** L2 and L3 both failed: the stale copy within its resurrect window, or 503. */
  private fallback (id: string, error: unknown): unknown {
    const entry = this.l1.get(id)
    if (entry !== undefined) {
      entry.freshUntil = this.now() + RESURRECT_RETRY_MS
      if (!entry.stale) this.options.log.warn({ key: id, version: entry.version }, 'config cache: L2 and L3 failed; serving the stale copy (resurrect window)')
      entry.stale = true
      this.options.stats.staleServed++
      return entry.value
    }
    this.options.stats.unavailable++
    throw new GatewayError('TG_CONFIG_UNAVAILABLE', undefined, { cause: error, headers: { 'retry-after': RETRY_AFTER_SECONDS } })
  }
}
