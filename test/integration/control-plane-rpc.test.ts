// The config RPC service with a real grpc-js client (loaded from the shipped .proto) against the
// real MariaDB: GetEntity (found, missing, tombstone, credential index), GetSnapshot, GetChanges.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { credentials, type Client } from '@grpc/grpc-js'
import type { Pool } from 'mysql2/promise'
import { MYSQL, skipUnlessReachable } from '../support/services.js'
import { createTempDatabase, type TempDatabase } from '../support/mysql-database.js'
import { openPool } from '../../src/control-plane/store/pool.js'
import { migrate } from '../../src/control-plane/store/migrate.js'
import { ConfigStore } from '../../src/control-plane/store/config-store.js'
import { apiKeyCredential } from '../../src/control-plane/store/credential-keys.js'
import { startRpcServer, type RpcServer } from '../../src/control-plane/rpc/config-service.js'
import { loadConfigService } from '../../src/control-plane/rpc/load-service.js'
import { silentLogger } from '../../src/observability/log.js'
import { findBundledPlugin } from '../../src/plugins/registry.js'

type Reply = Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('config RPC service', { skip: await skipUnlessReachable('mysql', MYSQL) }, () => {
  let db: TempDatabase
  let pool: Pool
  let store: ConfigStore
  let server: RpcServer
  let client: Client & Record<string, (request: unknown, callback: (error: Error | null, reply: Reply) => void) => void>
  const source = 'test'

  function rpc (method: string, request: unknown): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const call = client[method]
      if (call === undefined) throw new Error(`no method ${method}`)
      call.call(client, request, (error, reply) => { if (error !== null) reject(error); else resolve(reply) })
    })
  }

  before(async () => {
    db = await createTempDatabase()
    pool = openPool(db.settings)
    await migrate(pool)
    store = new ConfigStore(pool, { baseDir: process.cwd(), pluginSchema: (name) => findBundledPlugin(name)?.schema })
    server = await startRpcServer(pool, { host: '127.0.0.1', port: 0, log: silentLogger })
    const ConfigService = loadConfigService()
    client = new ConfigService(`127.0.0.1:${server.port}`, credentials.createInsecure()) as typeof client
    await store.put('service', 'orders', { targets: [{ host: '127.0.0.1', port: 9001 }] }, { mode: 'create', source })
    await store.put('route', 'orders', { service: 'orders', paths: ['/orders/*'] }, { mode: 'create', source })
    await store.put('merchant', 'm1', { credentials: { api_keys: [{ key: 'm1-key-00000001' }] } }, { mode: 'create', source })
    await store.put('plugin', 'limit-m1', { name: 'rate-limit', merchant: 'm1', config: { limit: 3 } }, { mode: 'create', source })
  })
  after(async () => {
    client?.close()
    await server?.close()
    await pool?.end()
    await db?.drop()
  })

  it('GetEntity answers the stored JSON bytes with the entity and config versions', async () => {
    const reply = await rpc('GetEntity', { kind: 'route', key: 'orders' })
    assert.equal(reply.found, true)
    assert.equal(reply.version, 2)
    assert.equal(reply.config_version, 4)
    assert.equal(Buffer.from(reply.body).toString(), (await store.get('route', 'orders'))?.body)
    assert.deepEqual(JSON.parse(Buffer.from(reply.body).toString()).paths, ['/orders/*'])
  })

  it('GetEntity resolves an API key through the credentials index', async () => {
    const reply = await rpc('GetEntity', { kind: 'credential', key: apiKeyCredential('m1-key-00000001') })
    assert.equal(reply.found, true)
    assert.deepEqual(JSON.parse(Buffer.from(reply.body).toString()), { merchant_id: 'm1' })
  })

  it('GetEntity of a missing key is found: false, not an error; a deleted one carries the delete version', async () => {
    const missing = await rpc('GetEntity', { kind: 'merchant', key: 'nobody' })
    assert.equal(missing.found, false)
    assert.equal(missing.version, 0)
    assert.equal(Buffer.from(missing.body).length, 0)
    await store.put('service', 'spare', { targets: [{ host: '127.0.0.1', port: 9009 }] }, { mode: 'create', source })
    const deleted = await store.delete('service', 'spare', { source })
    assert.ok(deleted.status === 'deleted')
    const tomb = await rpc('GetEntity', { kind: 'service', key: 'spare' })
    assert.equal(tomb.found, false)
    assert.equal(tomb.version, deleted.version)
  })

  it('GetEntity refuses an unknown kind with INVALID_ARGUMENT', async () => {
    await assert.rejects(rpc('GetEntity', { kind: 'planet', key: 'x' }), (error: Error & { code?: number }) => error.code === 3)
  })

  it('GetSnapshot answers the route table (merchant-scoped bindings included, merchants not) at the config version', async () => {
    const reply = await rpc('GetSnapshot', { min_version: 0 })
    const document = JSON.parse(Buffer.from(reply.document).toString())
    assert.equal(reply.version, (await rpc('GetChanges', { after_version: 0, limit: 0 })).config_version)
    assert.deepEqual(Object.keys(document).sort(), ['certificates', 'gateway', 'plugins', 'routes', 'services'])
    assert.deepEqual(document.services.map((s: { id: string }) => s.id), ['orders'])
    assert.deepEqual(document.plugins.map((p: { id: string }) => p.id), ['limit-m1'])
  })

  it('GetChanges pages oldest first without splitting a version', async () => {
    const all = await rpc('GetChanges', { after_version: 0, limit: 0 })
    assert.equal(all.complete, true)
    assert.deepEqual(all.changes.slice(0, 4).map((c: Reply) => `${c.version} ${c.kind}:${c.key} ${c.op}`), [
      '1 service:orders upsert', '2 route:orders upsert', `3 merchant:m1 upsert`, `3 credential:${apiKeyCredential('m1-key-00000001')} upsert`
    ])
    const page = await rpc('GetChanges', { after_version: 2, limit: 1 })
    assert.equal(page.complete, false)
    assert.deepEqual(page.changes.map((c: Reply) => c.version), [3, 3], 'the rest of version 3 comes with it')
    const rest = await rpc('GetChanges', { after_version: 3, limit: 100 })
    assert.equal(rest.changes[0].version, 4)
    assert.equal(rest.complete, true)
  })
})
