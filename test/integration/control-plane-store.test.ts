// The control plane's MySQL store against the real MariaDB/MySQL: migrations, validated writes
// (one version and outbox rows per transaction), the credentials index, and import/export.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pool, RowDataPacket } from 'mysql2/promise'
import { MYSQL, skipUnlessReachable } from '../support/services.js'
import { createTempDatabase, type TempDatabase } from '../support/mysql-database.js'
import { openPool } from '../../src/control-plane/store/pool.js'
import { migrate } from '../../src/control-plane/store/migrate.js'
import { ConfigStore } from '../../src/control-plane/store/config-store.js'
import { apiKeyCredential } from '../../src/control-plane/store/credential-keys.js'
import { findBundledPlugin } from '../../src/plugins/registry.js'

const pluginSchema = (name: string) => findBundledPlugin(name)?.schema

describe('control plane store', { skip: await skipUnlessReachable('mysql', MYSQL) }, () => {
  let db: TempDatabase
  let pool: Pool
  let store: ConfigStore
  const source = 'test'

  before(async () => {
    db = await createTempDatabase()
    pool = openPool(db.settings)
    await migrate(pool)
    store = new ConfigStore(pool, { baseDir: process.cwd(), pluginSchema })
  })
  after(async () => {
    await pool?.end()
    await db?.drop()
  })

  async function outbox (): Promise<Array<{ version: number, kind: string, entity_key: string, op: string }>> {
    const [rows] = await pool.query<RowDataPacket[]>('SELECT version, kind, entity_key, op FROM outbox ORDER BY id')
    return rows.map((r) => ({ version: Number(r.version), kind: String(r.kind), entity_key: String(r.entity_key), op: String(r.op) }))
  }

  it('migrations are recorded once and a second run applies nothing', async () => {
    assert.deepEqual(await migrate(pool), [])
    const [rows] = await pool.query<RowDataPacket[]>('SELECT id FROM schema_migrations')
    assert.deepEqual(rows.map((r) => r.id), ['0001-entities-outbox'])
  })

  it('a write takes the next version and records one outbox row in the same transaction', async () => {
    const written = await store.put('service', 'orders', { targets: [{ host: '127.0.0.1', port: 9001 }] }, { mode: 'create', source })
    assert.equal(written.status, 'written')
    assert.ok(written.status === 'written')
    assert.equal(written.entity.version, 1)
    const body = JSON.parse(written.entity.body ?? '{}')
    assert.equal(body.id, 'orders')
    assert.equal(body.balancer, 'p2c-peak-ewma', 'defaults are stored')
    assert.deepEqual(await outbox(), [{ version: 1, kind: 'service', entity_key: 'orders', op: 'upsert' }])
  })

  it('writing the same body again changes nothing and takes no version', async () => {
    const again = await store.put('service', 'orders', { targets: [{ host: '127.0.0.1', port: 9001 }] }, { mode: 'upsert', source })
    assert.equal(again.status, 'unchanged')
    assert.equal((await outbox()).length, 1)
  })

  it('a route naming an unknown service is refused at /service and nothing lands', async () => {
    const refused = await store.put('route', 'r1', { service: 'nope', paths: ['/a/*', '/b/*/c'] }, { mode: 'create', source })
    assert.equal(refused.status, 'invalid')
    assert.ok(refused.status === 'invalid')
    assert.deepEqual(refused.problems.map((p) => p.path).sort(), ['/paths/1', '/service'])
    assert.equal(await store.get('route', 'r1'), undefined)
    assert.equal((await outbox()).length, 1)
  })

  it('a service still routed to cannot be deleted; the route names it', async () => {
    assert.equal((await store.put('route', 'r1', { service: 'orders', paths: ['/orders/*'] }, { mode: 'create', source })).status, 'written')
    const refused = await store.delete('service', 'orders', { source })
    assert.equal(refused.status, 'invalid')
    assert.ok(refused.status === 'invalid')
    assert.match(refused.problems[0]?.reason ?? '', /route 'r1' \(\/service\): unknown service 'orders'/)
  })

  it('a path already routed with the same hosts and methods is refused at the new route', async () => {
    const refused = await store.put('route', 'r2', { service: 'orders', paths: ['/orders/*'] }, { mode: 'create', source })
    assert.ok(refused.status === 'invalid')
    assert.equal(refused.problems[0]?.path, '/paths/0')
  })

  it('If-Match on a stale version is refused', async () => {
    const current = await store.get('route', 'r1')
    const stale = await store.put('route', 'r1', { service: 'orders', paths: ['/o/*'] }, { mode: 'replace', ifVersion: (current?.version ?? 0) - 1, source })
    assert.deepEqual(stale, { status: 'version_mismatch', current: current?.version })
  })

  it('a merchant write maintains the credentials index; a key of another merchant is refused at its path', async () => {
    const m1 = await store.put('merchant', 'm1', { credentials: { api_keys: [{ key: 'key-of-m1-0001' }], secrets: [{ id: 's1', secret: 'secret-0001' }] } }, { mode: 'create', source })
    assert.ok(m1.status === 'written')
    const index = await store.get('credential', apiKeyCredential('key-of-m1-0001'))
    assert.deepEqual(JSON.parse(index?.body ?? '{}'), { merchant_id: 'm1' })
    assert.equal(index?.version, m1.entity.version, 'written in the merchant\'s transaction')
    assert.deepEqual(JSON.parse((await store.get('credential', 'signing_app:m1'))?.body ?? '{}'), { merchant_id: 'm1' })

    const m2 = await store.put('merchant', 'm2', { credentials: { api_keys: [{ key: 'key-of-m2-0001' }, { key: 'key-of-m1-0001' }] } }, { mode: 'create', source })
    assert.ok(m2.status === 'invalid')
    assert.deepEqual(m2.problems.map((p) => p.path), ['/credentials/api_keys/1/key'])
  })

  it('dropping an API key tombstones its index entry with the merchant\'s new version', async () => {
    const updated = await store.put('merchant', 'm1', { credentials: { api_keys: [{ key: 'key-of-m1-0002' }] } }, { mode: 'replace', source })
    assert.ok(updated.status === 'written')
    const old = await store.get('credential', apiKeyCredential('key-of-m1-0001'))
    assert.equal(old?.deleted, true)
    assert.equal(old?.version, updated.entity.version)
    assert.equal((await store.get('credential', 'signing_app:m1'))?.deleted, true, 'no secrets left: no signing app')
    const rows = (await outbox()).filter((r) => r.version === updated.entity.version)
    assert.deepEqual(rows.map((r) => `${r.kind}:${r.op}`).sort(), ['credential:delete', 'credential:delete', 'credential:upsert', 'merchant:upsert'])
  })

  it('a merchant bound by a plugin cannot be deleted until the binding is gone', async () => {
    const bound = await store.put('plugin', 'rl-m1', { name: 'rate-limit', merchant: 'm1', config: { limit: 5 } }, { mode: 'create', source })
    assert.equal(bound.status, 'written')
    const refused = await store.delete('merchant', 'm1', { source })
    assert.ok(refused.status === 'invalid')
    assert.match(refused.problems[0]?.reason ?? '', /plugin 'rl-m1'/)
    assert.equal((await store.delete('plugin', 'rl-m1', { source })).status, 'deleted')
    assert.equal((await store.delete('merchant', 'm1', { source })).status, 'deleted')
    assert.equal((await store.get('merchant', 'm1'))?.deleted, true)
  })
})
