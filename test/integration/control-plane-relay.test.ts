// The outbox → Redis relay against the real MariaDB and Redis: the layout of docs/control-plane.md
// exactly, replays that change nothing, resuming after writes committed while no relay ran (a relay
// killed between the MySQL commit and the Redis write), pub/sub messages, and a flushed Redis.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { Pool } from 'mysql2/promise'
import { MYSQL, REDIS, skipUnlessReachable } from '../support/services.js'
import { createTempDatabase, type TempDatabase } from '../support/mysql-database.js'
import { openPool } from '../../src/control-plane/store/pool.js'
import { migrate } from '../../src/control-plane/store/migrate.js'
import { ConfigStore } from '../../src/control-plane/store/config-store.js'
import { apiKeyCredential } from '../../src/control-plane/store/credential-keys.js'
import { RedisConfigWriter } from '../../src/control-plane/relay/redis-writer.js'
import { Relay } from '../../src/control-plane/relay/relay.js'
import { silentLogger } from '../../src/observability/log.js'
import { connectRedis } from '../../src/redis/connect.js'
import { RedisSchema, type RedisSettings } from '../../src/config/schema/redis.js'
import { Value } from '@sinclair/typebox/value'
import { FaultProxy } from '../support/fault-proxy.js'
import { recordingLogger } from '../support/plugin-context.js'
import { findBundledPlugin } from '../../src/plugins/registry.js'

const skip = await skipUnlessReachable('mysql', MYSQL) || await skipUnlessReachable('redis', REDIS)

describe('config relay', { skip }, () => {
  let db: TempDatabase
  let pool: Pool
  let store: ConfigStore
  let redis: Redis
  let writer: RedisConfigWriter
  const prefix = `tgtest:${randomBytes(4).toString('hex')}:`
  const source = 'test'
  const relayOptions = { pollMs: 50, batchSize: 100, log: silentLogger }

  before(async () => {
    db = await createTempDatabase()
    pool = openPool(db.settings)
    await migrate(pool)
    store = new ConfigStore(pool, { baseDir: process.cwd(), pluginSchema: (name) => findBundledPlugin(name)?.schema })
    redis = new Redis({ host: REDIS.host, port: REDIS.port })
    writer = new RedisConfigWriter(redis, prefix, 1000)
  })
  after(async () => {
    if (redis !== undefined) {
      const keys = await redis.keys(`${prefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      redis.disconnect()
    }
    await pool?.end()
    await db?.drop()
  })

  /** Every key under the prefix with its content (strings as text, the stream as its entries). */
  async function dump (): Promise<Record<string, unknown>> {
    const out: Record<string, unknown> = {}
    for (const key of (await redis.keys(`${prefix}*`)).sort()) {
      out[key.slice(prefix.length)] = await redis.type(key) === 'stream' ? await redis.xrange(key, '-', '+') : await redis.get(key)
    }
    return out
  }

  async function drain (relay: Relay): Promise<void> {
    while (await relay.round() > 0) { /* until the outbox is relayed */ }
  }

  it('relays writes committed while no relay ran, exactly in the documented layout', async () => {
    // A relay ran once (Redis has an epoch), then stopped: the writes below commit to MySQL only.
    await drain(new Relay(pool, writer, relayOptions))
    const epoch = await redis.get(`${prefix}cfg:epoch`)
    assert.notEqual(epoch, null)
    await store.put('service', 'orders', { targets: [{ host: '127.0.0.1', port: 9001 }] }, { mode: 'create', source })
    await store.put('route', 'orders', { service: 'orders', paths: ['/orders/*'] }, { mode: 'create', source })
    await store.put('merchant', 'm1', { credentials: { api_keys: [{ key: 'm1-key-00000001' }] } }, { mode: 'create', source })
    assert.equal(await redis.exists(`${prefix}cfg:e:service:orders`), 0, 'nothing reaches Redis without a relay')

    await drain(new Relay(pool, writer, relayOptions))
    const state = await dump()
    const service = await store.get('service', 'orders')
    assert.equal(state['cfg:e:service:orders'], `{"version":1,"deleted":false,"body":${service?.body ?? ''}}`)
    assert.deepEqual(JSON.parse(String(state[`cfg:e:credential:${apiKeyCredential('m1-key-00000001')}`])), { version: 3, deleted: false, body: { merchant_id: 'm1' } })
    assert.equal(state['cfg:version'], '3')
    assert.equal(state['cfg:relay:last_outbox_id'], '4')
    assert.equal(state['cfg:epoch'], epoch, 'the same Redis: no full sync, no new epoch')
    const snapshot = JSON.parse(String(state['cfg:snapshot']))
    assert.equal(snapshot.version, 3)
    assert.deepEqual(snapshot.document.routes.map((r: { id: string }) => r.id), ['orders'])
    assert.deepEqual(state['cfg:changes'], [
      ['1-0', ['version', '1', 'kind', 'service', 'key', 'orders', 'op', 'upsert']],
      ['2-0', ['version', '2', 'kind', 'route', 'key', 'orders', 'op', 'upsert']],
      ['3-0', ['version', '3', 'kind', 'merchant', 'key', 'm1', 'op', 'upsert']],
      ['4-0', ['version', '3', 'kind', 'credential', 'key', apiKeyCredential('m1-key-00000001'), 'op', 'upsert']]
    ])
  })

  it('a replay from the start of the outbox changes nothing in Redis', async () => {
    const before = await dump()
    await redis.set(`${prefix}cfg:relay:last_outbox_id`, '0')
    await drain(new Relay(pool, writer, relayOptions))
    assert.deepEqual(await dump(), before)
  })

  it('an older version never overwrites a newer one, and cfg:version never goes down', async () => {
    const current = await redis.get(`${prefix}cfg:e:route:orders`)
    assert.equal(await writer.writeEntity({ kind: 'route', key: 'orders', version: 1, deleted: true, position: 0, body: null }), false)
    assert.equal(await redis.get(`${prefix}cfg:e:route:orders`), current)
    await writer.raiseVersion(1)
    assert.equal(await redis.get(`${prefix}cfg:version`), '3')
  })

  it('a delete writes a tombstone and publishes <kind>:<key>:<version>', async () => {
    const subscriber = new Redis({ host: REDIS.host, port: REDIS.port })
    const messages: string[] = []
    await subscriber.subscribe(`${prefix}cfg:invalidate`)
    subscriber.on('message', (_channel: string, message: string) => messages.push(message))
    try {
      assert.equal((await store.delete('route', 'orders', { source })).status, 'deleted')
      await drain(new Relay(pool, writer, relayOptions))
      assert.equal(await redis.get(`${prefix}cfg:e:route:orders`), '{"version":4,"deleted":true}')
      assert.deepEqual(JSON.parse(String(await redis.get(`${prefix}cfg:snapshot`))).document.routes, [])
      const deadline = Date.now() + 2000
      while (messages.length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
      assert.deepEqual(messages, ['route:orders:4'])
    } finally {
      subscriber.disconnect()
    }
  })

  it('a running relay woken by a commit, stopped, then restarted, loses nothing', async () => {
    const relay = new Relay(pool, writer, relayOptions)
    const unsubscribe = store.onCommit(() => relay.wake())
    relay.start()
    await store.put('route', 'orders', { service: 'orders', paths: ['/v2/*'] }, { mode: 'create', source })
    const deadline = Date.now() + 3000
    while (await redis.get(`${prefix}cfg:version`) !== '5' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.equal(await redis.get(`${prefix}cfg:version`), '5')
    await relay.stop()
    unsubscribe()

    // Killed: these commit to MySQL while no relay runs.
    for (let i = 0; i < 3; i++) await store.put('merchant', `late${i}`, {}, { mode: 'create', source })
    const restarted = new Relay(pool, writer, relayOptions)
    restarted.start()
    const until = Date.now() + 3000
    while (await redis.get(`${prefix}cfg:version`) !== '8' && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 20))
    await restarted.stop()
    assert.equal(await redis.get(`${prefix}cfg:version`), '8')
    for (let i = 0; i < 3; i++) assert.equal(JSON.parse(String(await redis.get(`${prefix}cfg:e:merchant:late${i}`))).version, 6 + i)
    assert.equal((await redis.xrange(`${prefix}cfg:changes`, '-', '+')).length, 9)
  })

  it('a flushed Redis (no epoch) gets everything again, tombstones included, under a new epoch', async () => {
    const before = await dump()
    const keys = await redis.keys(`${prefix}*`)
    await redis.del(...keys)
    await drain(new Relay(pool, writer, relayOptions))
    const after = await dump()
    assert.notEqual(after['cfg:epoch'], before['cfg:epoch'])
    for (const key of Object.keys(before).filter((k) => k.startsWith('cfg:e:') || k === 'cfg:version' || k === 'cfg:relay:last_outbox_id')) {
      assert.equal(after[key], before[key], key)
    }
    assert.deepEqual(JSON.parse(String(after['cfg:snapshot'])).document, JSON.parse(String(before['cfg:snapshot'])).document)
    assert.equal(after['cfg:e:route:orders'] !== undefined, true)
  })

  it('while Redis is unreachable the relay keeps its place, and catches up when it is back', async () => {
    const proxy = await FaultProxy.start(REDIS)
    const outagePrefix = `${prefix}outage:`
    const settings = Value.Default(RedisSchema, { host: proxy.host, port: proxy.port, key_prefix: outagePrefix, command_timeout_ms: 500 }) as RedisSettings
    const log = recordingLogger()
    const client = connectRedis(settings, log, 'relay-test')
    const relay = new Relay(pool, new RedisConfigWriter(client, outagePrefix, 1000), { ...relayOptions, log })
    const versionKey = `${outagePrefix}cfg:version`
    const waitFor = async (value: string, ms: number): Promise<string | null> => {
      const deadline = Date.now() + ms
      while (await redis.get(versionKey) !== value && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
      return await redis.get(versionKey)
    }
    try {
      relay.start()
      assert.equal(await waitFor('8', 5000), '8', 'full sync through the proxy')
      await proxy.setMode({ kind: 'refuse' })
      proxy.cutAll()
      for (let i = 0; i < 3; i++) await store.put('merchant', `outage${i}`, {}, { mode: 'create', source })
      await new Promise((resolve) => setTimeout(resolve, 300))
      assert.equal(await redis.get(versionKey), '8', 'nothing written while Redis is cut')
      await proxy.setMode({ kind: 'pass' })
      assert.equal(await waitFor('11', 15_000), '11', 'caught up after the outage')
      for (let i = 0; i < 3; i++) assert.equal(JSON.parse(String(await redis.get(`${outagePrefix}cfg:e:merchant:outage${i}`))).version, 9 + i)
      assert.ok(log.records.some((r) => r.level === 'warn' && /relay: round failed/.test(String(r.msg))), 'the outage is logged at warn')
    } finally {
      await relay.stop()
      client.disconnect()
      await proxy.close()
      const keys = await redis.keys(`${outagePrefix}*`)
      if (keys.length > 0) await redis.del(...keys)
    }
  })
})
