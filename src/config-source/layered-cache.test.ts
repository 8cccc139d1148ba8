import { test } from 'node:test'
import assert from 'node:assert/strict'
import { GatewayError } from '../errors.js'
import type { Logger } from '../kit/logger.js'
import type { StoredEntity } from './entity.js'
import { LayeredCache, type EntityLoader } from './layered-cache.js'
import { ConfigSourceStats } from './stats.js'

const quiet: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, child: () => quiet }
const L1 = { max_bytes: 1_000_000, ttl_ms: 1000, jitter: 0.1, negative_ttl_ms: 500, negative_max_entries: 100, resurrect_ms: 2000 }

/** The levels below L1 as a table the test edits: each key's entity, or an error to throw. */
class TableLoader implements EntityLoader {
  readonly rows = new Map<string, StoredEntity | Error>()
  calls = 0
  /** When set, loads wait for it (to interleave an eviction with a load). */
  gate: Promise<void> | undefined

  async load (kind: string, key: string): Promise<StoredEntity | undefined> {
    this.calls++
    const row = this.rows.get(`${kind}:${key}`)
    if (this.gate !== undefined) await this.gate
    if (row instanceof Error) throw row
    return row
  }

  async loadFromL3 (kind: string, key: string): Promise<StoredEntity | undefined> {
    return await this.load(kind, key)
  }
}

const entity = (version: number, body: unknown): StoredEntity => ({ version, deleted: false, body, bytes: 100 })

function setup (random = 0.5): { cache: LayeredCache, loader: TableLoader, stats: ConfigSourceStats, clock: { now: number } } {
  const loader = new TableLoader()
  const stats = new ConfigSourceStats()
  const clock = { now: 0 }
  const cache = new LayeredCache({ l1: L1, loader, compile: (_k, _key, body) => ({ compiled: body }), stats, log: quiet, now: () => clock.now, random: () => random })
  return { cache, loader, stats, clock }
}

void test('concurrent misses for one key share one load; the hit after it is synchronous', async () => {
  const { cache, loader } = setup()
  loader.rows.set('merchant:m1', entity(1, { id: 'm1' }))
  const answers = await Promise.all(Array.from({ length: 100 }, async () => await cache.get('merchant', 'm1')))
  assert.equal(loader.calls, 1)
  assert.ok(answers.every((a) => (a as { compiled: { id: string } }).compiled.id === 'm1'))
  assert.deepEqual(cache.get('merchant', 'm1'), { compiled: { id: 'm1' } })
})

void test('an entry is reloaded after its jittered TTL', async () => {
  const { cache, loader, clock } = setup(0) // jitter at its low end: TTL 900 ms
  loader.rows.set('merchant:m1', entity(1, 'a'))
  await cache.get('merchant', 'm1')
  clock.now = 899
  assert.ok(!(cache.get('merchant', 'm1') instanceof Promise))
  clock.now = 901
  assert.ok(cache.get('merchant', 'm1') instanceof Promise)
})

void test('a missing entity is negative-cached; a failure is not', async () => {
  const { cache, loader, stats } = setup()
  assert.equal(await cache.get('merchant', 'none'), undefined)
  assert.equal(cache.get('merchant', 'none'), undefined)
  assert.equal(stats.negativeHits, 1)
  loader.rows.set('merchant:down', new Error('both levels failed'))
  await assert.rejects(async () => { await cache.get('merchant', 'down') }, (e: unknown) => e instanceof GatewayError && e.code === 'TG_CONFIG_UNAVAILABLE')
  loader.rows.delete('merchant:down')
  assert.equal(await cache.get('merchant', 'down'), undefined, 'the next lookup loads again')
})

void test('a load that an eviction overtook answers its waiter but is not stored', async () => {
  const { cache, loader, stats } = setup()
  loader.rows.set('merchant:m1', entity(1, 'old'))
  let open: () => void = () => {}
  loader.gate = new Promise((resolve) => { open = resolve })
  const pending = cache.get('merchant', 'm1') as Promise<unknown>
  cache.evict('merchant', 'm1', 2)
  open()
  assert.deepEqual(await pending, { compiled: 'old' })
  assert.equal(stats.droppedLoads, 1)
  loader.gate = undefined
  loader.rows.set('merchant:m1', entity(2, 'new'))
  assert.deepEqual(await cache.get('merchant', 'm1'), { compiled: 'new' })
})

void test('an eviction at a version L1 already holds is ignored', async () => {
  const { cache, loader, stats } = setup()
  loader.rows.set('merchant:m1', entity(5, 'v5'))
  await cache.get('merchant', 'm1')
  cache.evict('merchant', 'm1', 5)
  assert.equal(stats.evictions, 0)
  assert.deepEqual(cache.get('merchant', 'm1'), { compiled: 'v5' })
})

void test('after a flush the old entries are the fallback when both levels fail', async () => {
  const { cache, loader, stats, clock } = setup()
  loader.rows.set('merchant:m1', entity(1, 'v1'))
  await cache.get('merchant', 'm1')
  cache.flush()
  loader.rows.set('merchant:m1', new Error('down'))
  assert.deepEqual(await cache.get('merchant', 'm1'), { compiled: 'v1' })
  assert.equal(stats.staleServed, 1)
  assert.deepEqual(cache.get('merchant', 'm1'), { compiled: 'v1' }, 'served stale without a load for a while')
  assert.equal(stats.staleServed, 2)
  assert.equal(stats.fullFlushes, 1)
  void clock
})

void test('past TTL plus resurrect window nothing stale is left: 503 with retry-after', async () => {
  const loader = new TableLoader()
  const stats = new ConfigSourceStats()
  // Real time here: lru-cache drops the entry after TTL (≤ 110 ms) + resurrect (200 ms).
  const cache = new LayeredCache({ l1: { ...L1, ttl_ms: 100, resurrect_ms: 200 }, loader, compile: (_k, _key, b) => b, stats, log: quiet })
  loader.rows.set('merchant:m1', entity(1, 'v1'))
  await cache.get('merchant', 'm1')
  loader.rows.set('merchant:m1', new Error('down'))
  await new Promise((resolve) => setTimeout(resolve, 700))
  await assert.rejects(async () => { await cache.get('merchant', 'm1') }, (e: unknown) => {
    assert.ok(e instanceof GatewayError)
    assert.equal(e.status, 503)
    assert.equal(e.headers?.['retry-after'], '1')
    return true
  })
  assert.equal(stats.unavailable, 1)
})

void test('misuse: a jitter outside [0, 1) is refused when the cache is built', () => {
  assert.throws(() => new LayeredCache({ l1: { ...L1, jitter: 1 }, loader: new TableLoader(), compile: (_k, _key, b) => b, stats: new ConfigSourceStats(), log: quiet }), /jitter/)
})
