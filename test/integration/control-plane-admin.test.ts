// The admin REST API through a real listener against the real MariaDB: CRUD, 400 with every
// problem's path, 412 on a stale If-Match, 401 without the token, pagination and filters,
// credential rotation, the OpenAPI document and the loopback-only rule without a token.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import type { Pool } from 'mysql2/promise'
import { MYSQL, skipUnlessReachable } from '../support/services.js'
import { createTempDatabase, type TempDatabase } from '../support/mysql-database.js'
import { openPool } from '../../src/control-plane/store/pool.js'
import { migrate } from '../../src/control-plane/store/migrate.js'
import { ConfigStore } from '../../src/control-plane/store/config-store.js'
import { startAdminServer, type AdminServer } from '../../src/control-plane/admin/server.js'
import { buildOpenApi } from '../../src/control-plane/admin/openapi.js'
import { silentLogger } from '../../src/observability/log.js'
import { findBundledPlugin } from '../../src/plugins/registry.js'

const TOKEN = 'admin-token-for-tests-0123456789'

interface Answer { status: number, body: any, headers: Headers } // eslint-disable-line @typescript-eslint/no-explicit-any

describe('admin API', { skip: await skipUnlessReachable('mysql', MYSQL) }, () => {
  let db: TempDatabase
  let pool: Pool
  let server: AdminServer
  let base: string

  before(async () => {
    db = await createTempDatabase()
    pool = openPool(db.settings)
    await migrate(pool)
    const store = new ConfigStore(pool, { baseDir: process.cwd(), pluginSchema: (name) => findBundledPlugin(name)?.schema })
    server = await startAdminServer({ store, openapi: buildOpenApi('test') }, { host: '127.0.0.1', port: 0, token: TOKEN, maxBodyBytes: 64 * 1024, log: silentLogger })
    base = `http://127.0.0.1:${server.address.port}`
  })
  after(async () => {
    await server?.close()
    await pool?.end()
    await db?.drop()
  })

  async function call (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body)
    })
    const text = await response.text()
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text), headers: response.headers }
  }

  it('refuses a request without the token, or with a wrong one, with 401 and a request id', async () => {
    const none = await call('GET', '/services', undefined, { authorization: '' })
    assert.equal(none.status, 401)
    assert.equal(none.body.error.code, 'TG_ADMIN_UNAUTHORIZED')
    assert.equal(none.body.error.request_id, none.headers.get('x-request-id'))
    assert.equal((await call('GET', '/services', undefined, { authorization: `Bearer ${TOKEN}x` })).status, 401)
  })

  it('creates a service (201, Location, ETag) and reads it back normalised', async () => {
    const created = await call('POST', '/services', { id: 'orders', targets: [{ host: '127.0.0.1', port: 9001 }], path: '/v1/' })
    assert.equal(created.status, 201)
    assert.equal(created.headers.get('location'), '/services/orders')
    assert.equal(created.body.path, '/v1')
    const read = await call('GET', '/services/orders')
    assert.equal(read.status, 200)
    assert.equal(read.headers.get('etag'), created.headers.get('etag'))
    assert.equal(read.body.balancer, 'p2c-peak-ewma')
    assert.equal((await call('POST', '/services', { id: 'orders', targets: [{ host: '127.0.0.1', port: 9001 }] })).status, 409)
  })

  it('answers 400 with every problem and its JSON path; nothing is written', async () => {
    const bad = await call('PUT', '/routes/r1', { service: 'missing', paths: ['/a/*/b'], methds: ['GET'] })
    assert.equal(bad.status, 400)
    assert.equal(bad.body.error.code, 'TG_CONFIG_INVALID')
    assert.deepEqual(bad.body.error.problems.map((p: { path: string }) => p.path).sort(), ['/methds'])
    const cross = await call('PUT', '/routes/r1', { service: 'missing', paths: ['/a/*/b'] })
    assert.deepEqual(cross.body.error.problems.map((p: { path: string }) => p.path).sort(), ['/paths/0', '/service'])
    assert.equal((await call('GET', '/routes/r1')).status, 404)
    assert.equal((await call('PUT', '/services/x', '{"id":')).body.error.code, 'TG_REQUEST_BODY_INVALID_JSON')
  })

  it('refuses a stale If-Match with 412 and the current ETag; the right one replaces', async () => {
    const created = await call('PUT', '/routes/r1', { service: 'orders', paths: ['/orders/*'] })
    assert.equal(created.status, 201)
    const etag = created.headers.get('etag') ?? ''
    const updated = await call('PUT', '/routes/r1', { service: 'orders', paths: ['/orders/*', '/o/*'] }, { 'if-match': etag })
    assert.equal(updated.status, 200)
    const stale = await call('PUT', '/routes/r1', { service: 'orders', paths: ['/x/*'] }, { 'if-match': etag })
    assert.equal(stale.status, 412)
    assert.equal(stale.body.error.code, 'TG_ADMIN_VERSION_MISMATCH')
    assert.equal(stale.headers.get('etag'), updated.headers.get('etag'))
    assert.equal((await call('DELETE', '/routes/r1', undefined, { 'if-match': etag })).status, 412)
  })

  it('lists in pages with a cursor and filters by service', async () => {
    await call('PUT', '/services/users', { targets: [{ host: '127.0.0.1', port: 9002 }] })
    for (let i = 0; i < 5; i++) assert.equal((await call('PUT', `/routes/u${i}`, { service: 'users', paths: [`/u${i}/*`] })).status, 201)
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: Answer = await call('GET', `/routes?service=users&limit=2${cursor === null ? '' : `&cursor=${cursor}`}`)
      assert.equal(page.status, 200)
      assert.ok(page.body.items.length <= 2)
      seen.push(...page.body.items.map((i: { body: { id: string } }) => i.body.id))
      cursor = page.body.next_cursor
    } while (cursor !== null)
    assert.deepEqual(seen, ['u0', 'u1', 'u2', 'u3', 'u4'])
    assert.equal((await call('GET', '/routes?colour=blue')).status, 400)
    assert.equal((await call('GET', '/routes?limit=0')).status, 400)
  })

  it('refuses to delete a service that routes use, naming them', async () => {
    const refused = await call('DELETE', '/services/users')
    assert.equal(refused.status, 400)
    assert.match(refused.body.error.problems[0].reason, /route 'u0'/)
  })

  it('binds plugins with derived ids and filters them by merchant', async () => {
    await call('PUT', '/merchants/m1', { name: 'Shop' })
    const bound = await call('POST', '/plugins', { name: 'rate-limit', route: 'u0', merchant: 'm1', config: { limit: 5 } })
    assert.equal(bound.status, 201)
    assert.equal(bound.headers.get('location'), '/plugins/rate-limit%40route%3Au0%2Bmerchant%3Am1')
    const listed = await call('GET', '/plugins?merchant=m1')
    assert.deepEqual(listed.body.items.map((i: { body: { name: string } }) => i.body.name), ['rate-limit'])
    const badConfig = await call('PUT', '/plugins/limits', { name: 'rate-limit', route: 'u1', config: { limit: 'many' } })
    assert.equal(badConfig.status, 400)
    assert.equal(badConfig.body.error.problems[0].path, '/config/limit')
    // A second binding at the same scope names the first by its admin path, not a list index.
    const twice = await call('PUT', '/plugins/limits', { name: 'rate-limit', route: 'u0', merchant: 'm1', config: { limit: 6 } })
    assert.equal(twice.status, 400)
    assert.match(twice.body.error.problems[0].reason, /already bound at this scope \(route\+merchant\) by \/plugins\/rate-limit@route:u0\+merchant:m1$/)
    assert.equal((await call('DELETE', '/plugins/rate-limit@route:u0+merchant:m1')).status, 204)
  })

  it('rotates credentials: add a key, see it by id, revoke it; a key held elsewhere is refused', async () => {
    const added = await call('POST', '/merchants/m1/api-keys', { key: 'm1-key-000000001', label: 'next' })
    assert.equal(added.status, 200)
    assert.match(added.body.id, /^[0-9a-f]{64}$/)
    const listed = await call('GET', '/merchants/m1/credentials')
    assert.deepEqual(listed.body.api_keys, [{ id: added.body.id, label: 'next' }])
    await call('PUT', '/merchants/m2', {})
    const taken = await call('POST', '/merchants/m2/api-keys', { key: 'm1-key-000000001' })
    assert.equal(taken.status, 400)
    assert.equal(taken.body.error.problems[0].path, '/credentials/api_keys/0/key')
    assert.equal((await call('POST', '/merchants/m1/secrets', { id: 'app', secret: 'secret-value-1' })).status, 200)
    assert.equal((await call('DELETE', `/merchants/m1/api-keys/${added.body.id}`)).status, 200)
    assert.equal((await call('DELETE', `/merchants/m1/api-keys/${added.body.id}`)).status, 404)
    assert.equal((await call('DELETE', '/merchants/m1/secrets/app')).status, 200)
    assert.deepEqual((await call('GET', '/merchants/m1/credentials')).body, { api_keys: [], secrets: [] })
  })

  it('serves the OpenAPI 3.1 document without the token, with the entity schemas', async () => {
    const doc = await call('GET', '/openapi.json', undefined, { authorization: '' })
    assert.equal(doc.status, 200)
    assert.equal(doc.body.openapi, '3.1.0')
    assert.ok(doc.body.paths['/routes/{id}'].put)
    assert.equal(doc.body.components.schemas.Route.properties.service.type, 'string')
  })

  it('answers 404 and 405 with catalog codes', async () => {
    assert.equal((await call('GET', '/nothing')).body.error.code, 'TG_ADMIN_NOT_FOUND')
    assert.equal((await call('PATCH', '/services/orders')).status, 405)
  })

  it('refuses to listen on a non-loopback address without a token', async () => {
    const store = new ConfigStore(pool, { baseDir: process.cwd(), pluginSchema: () => undefined })
    await assert.rejects(startAdminServer({ store, openapi: {} }, { host: '0.0.0.0', port: 0, token: undefined, maxBodyBytes: 1024, log: silentLogger }), /loopback only/)
  })
})
