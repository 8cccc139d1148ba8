import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { Logger } from '../kit/logger.js'
import { apiKeyCredential } from '../control-plane/store/credential-keys.js'
import { CachedMerchantDirectory } from './cached-merchant-directory.js'
import { compileEntity } from './compile-entity.js'
import type { StoredEntity } from './entity.js'
import { LayeredCache, type EntityLoader } from './layered-cache.js'
import { ConfigSourceStats } from './stats.js'

const quiet: Logger = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, child: () => quiet }
const L1 = { max_bytes: 1_000_000, ttl_ms: 60_000, jitter: 0, negative_ttl_ms: 60_000, negative_max_entries: 100, resurrect_ms: 0 }

/** L2/L3 as a table of entities, counting the keys asked for. */
class TableLoader implements EntityLoader {
  readonly rows = new Map<string, StoredEntity>()
  readonly asked: string[] = []
  async load (kind: string, key: string): Promise<StoredEntity | undefined> {
    this.asked.push(`${kind}:${key}`)
    return this.rows.get(`${kind}:${key}`)
  }

  async loadFromL3 (kind: string, key: string): Promise<StoredEntity | undefined> {
    return await this.load(kind, key)
  }
}

const stored = (body: unknown): StoredEntity => ({ version: 1, deleted: false, body, bytes: 100 })

function directoryWith (merchants: Array<{ id: string, keys: string[] }>): { directory: CachedMerchantDirectory, loader: TableLoader } {
  const loader = new TableLoader()
  for (const { id, keys } of merchants) {
    loader.rows.set(`merchant:${id}`, stored({ id, credentials: { api_keys: keys.map((key) => ({ key })) } }))
    for (const key of keys) loader.rows.set(`credential:${apiKeyCredential(key)}`, stored({ merchant_id: id }))
  }
  const cache = new LayeredCache({ l1: L1, loader, compile: compileEntity, stats: new ConfigSourceStats(), log: quiet })
  return { directory: new CachedMerchantDirectory(cache), loader }
}

void test('an API key finds its merchant through the hashed credential index, then from L1 synchronously', async () => {
  const { directory, loader } = directoryWith([{ id: 'm1', keys: ['key-of-m1-000001'] }, { id: 'm2', keys: ['key-of-m2-000001'] }])
  assert.equal((await directory.findByApiKey('key-of-m1-000001'))?.merchant.id, 'm1')
  assert.ok(loader.asked.includes(`credential:${apiKeyCredential('key-of-m1-000001')}`), 'the index is asked by the key\'s hash, never the key')
  assert.ok(!loader.asked.some((asked) => asked.includes('key-of-m1')))
  // Remembered credential keys never mix keys up, however often each is looked up.
  for (let i = 0; i < 3; i++) {
    const one = directory.findByApiKey('key-of-m1-000001')
    const two = directory.findByApiKey('key-of-m2-000001')
    assert.equal((one instanceof Promise ? await one : one)?.merchant.id, 'm1')
    assert.equal((two instanceof Promise ? await two : two)?.merchant.id, 'm2')
  }
  assert.ok(!(directory.findByApiKey('key-of-m1-000001') instanceof Promise), 'an L1 hit answers synchronously')
})

void test('an unknown API key finds nothing, and neither does a key its merchant no longer lists', async () => {
  const { directory, loader } = directoryWith([{ id: 'm1', keys: ['key-of-m1-000001'] }])
  assert.equal(await directory.findByApiKey('no-such-key-000001'), undefined)
  loader.rows.set(`credential:${apiKeyCredential('stale-key-0000001')}`, stored({ merchant_id: 'm1' }))
  assert.equal(await directory.findByApiKey('stale-key-0000001'), undefined)
})
