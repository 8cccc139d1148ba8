// merchant-signature nonces shared through the real Redis: a replay to another worker or another
// gateway is refused; with Redis cut, the configured fail-open or fail-closed rule applies.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { RedisHandle } from '../../src/kit/redis.js'
import { LruNonceStore } from '../../src/plugins/merchant-signature/nonce-store.js'
import { nonceStoreStats, RedisNonceStore } from '../../src/plugins/merchant-signature/redis-nonce-store.js'
import { signRequest } from '../../src/plugins/merchant-signature/sign.js'
import { gatewayConfig } from '../support/configs.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { recordingLogger } from '../support/plugin-context.js'
import { openTestRedis, waitFor, type TestRedis } from '../support/redis-handle.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'
import { UpstreamServer } from '../support/upstream-server.js'

const PREFIX = `tg-test-nonce-${randomBytes(4).toString('hex')}:`
const SECRET = 'secret-of-m1-for-redis-nonces'

describe('merchant-signature nonces in Redis', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  let redis: TestRedis
  let handle: RedisHandle

  before(async () => {
    redis = await openTestRedis(REDIS, PREFIX)
    handle = redis.handle
  })

  after(async () => { await redis.close() })

  it('a nonce used in one worker is a replay in another; it expires with its timestamp', async () => {
    const log = recordingLogger()
    const first = new RedisNonceStore(new LruNonceStore(1000), handle, 'open', log)
    const second = new RedisNonceStore(new LruNonceStore(1000), handle, 'open', log)
    const now = Date.now()
    assert.equal(await first.remember('tg\nm1\nnonce-a', now + 30_000, now), true)
    assert.equal(await second.remember('tg\nm1\nnonce-a', now + 30_000, now), false)
    assert.equal(await second.remember('tg\nm1\nnonce-b', now + 30_000, now), true)
    const ttl = await handle.client.pttl(`${PREFIX}nonce:tg\nm1\nnonce-a`)
    assert.ok(ttl > 25_000 && ttl <= 30_000, `ttl ${ttl}`)
  })

  it('a replay to the same worker is refused by its LRU without asking Redis', async () => {
    const store = new RedisNonceStore(new LruNonceStore(1000), handle, 'open', recordingLogger())
    const now = Date.now()
    assert.equal(await store.remember('tg\nm1\nnonce-c', now + 30_000, now), true)
    const calls = nonceStoreStats.redisCalls
    assert.equal(store.remember('tg\nm1\nnonce-c', now + 30_000, now), false)
    assert.equal(nonceStoreStats.redisCalls, calls)
  })

  it('the first request of a worker waits for its connection to open instead of failing open', async () => {
    const fresh = await openTestRedis(REDIS, PREFIX, { ready: false })
    const freshHandle = fresh.handle
    assert.ok(!freshHandle.ready(), 'still connecting')
    try {
      const failures = nonceStoreStats.failOpenAdmitted
      const store = new RedisNonceStore(new LruNonceStore(1000), freshHandle, 'open', recordingLogger())
      const now = Date.now()
      const other = new RedisNonceStore(new LruNonceStore(1000), handle, 'open', recordingLogger())
      assert.equal(await other.remember('tg\nm1\nnonce-start', now + 30_000, now), true)
      assert.equal(await store.remember('tg\nm1\nnonce-start', now + 30_000, now), false, 'Redis was asked')
      assert.equal(nonceStoreStats.failOpenAdmitted, failures)
    } finally {
      await fresh.close()
    }
  })

  for (const failure of ['open', 'closed'] as const) {
    it(`with Redis cut, fail-${failure}: ${failure === 'open' ? 'the worker LRU decides' : 'unverifiable, the nonce stays usable'}; warned once`, async () => {
      const proxy = await FaultProxy.start(REDIS)
      const cutRedis = await openTestRedis(proxy, PREFIX)
      const cutHandle = cutRedis.handle
      try {
        const log = recordingLogger()
        const store = new RedisNonceStore(new LruNonceStore(1000), cutHandle, failure, log)
        await proxy.setMode({ kind: 'refuse' })
        proxy.cutAll()
        await waitFor(() => !cutHandle.ready(), 'the cut to be seen')
        const now = Date.now()
        const nonce = `tg\nm1\ncut-${failure}`
        const started = Date.now()
        assert.equal(await store.remember(nonce, now + 30_000, now), failure === 'open' ? true : undefined)
        assert.equal(await store.remember(`${nonce}-2`, now + 30_000, now), failure === 'open' ? true : undefined)
        assert.ok(Date.now() - started < 1000, 'no wait on the dead connection')
        assert.equal(await store.remember(nonce, now + 30_000, now), failure === 'open' ? false : undefined, 'the LRU still refuses a replay to this worker')
        assert.equal(log.records.filter((r) => r.level === 'warn' && String(r.msg).includes('Redis unreachable')).length, 1)
        await proxy.setMode({ kind: 'pass' })
        await waitFor(() => cutHandle.ready(), 'the reconnect')
        assert.equal(await store.remember(nonce, now + 30_000, Date.now()), failure === 'open' ? false : true)
        assert.equal(nonceStoreStats.degraded, failure === 'open', 'the LRU answered a replay without Redis (open); Redis answered (closed)')
        assert.equal(await store.remember(`tg\nm1\nafter-${failure}`, now + 30_000, Date.now()), true)
        assert.equal(nonceStoreStats.degraded, false)
        assert.ok(log.records.some((r) => r.level === 'warn' && String(r.msg).includes('Redis reachable again')))
      } finally {
        await cutRedis.close()
        await proxy.close()
      }
    })
  }
})

describe('merchant-signature nonces across three gateways', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-nonce3-${randomBytes(4).toString('hex')}:`
  const upstream = new UpstreamServer()
  const gateways: GatewayProcess[] = []
  const ports: number[] = []

  before(async () => {
    const upstreamPort = await upstream.listen()
    for (let i = 0; i < 3; i++) {
      const port = await freePort()
      ports.push(port)
      gateways.push(new GatewayProcess(gatewayConfig({
        port,
        upstreamPort,
        gateway: { redis: { host: REDIS.host, port: REDIS.port, key_prefix: prefix } },
        merchants: [{ id: 'm1', credentials: { secrets: [{ id: 's1', secret: SECRET }] } }],
        routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }],
        plugins: [{ name: 'merchant-signature', route: 'api' }]
      })))
    }
    await Promise.all(gateways.map((g) => g.start(2, 30_000)))
  })

  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()))
    await upstream.close()
    const client = new Redis({ host: REDIS.host, port: REDIS.port })
    const keys = await client.keys(`${prefix}*`)
    if (keys.length > 0) await client.del(...keys)
    client.disconnect()
  })

  it('the same signed request sent to each gateway (at once, and again) is admitted exactly once', async () => {
    for (let round = 0; round < 5; round++) {
      const headers = signRequest({ appKey: 'm1', secret: SECRET, method: 'GET', path: '/api/pay' })
      const sends = ports.flatMap((port) => [port, port]).map(async (port) => request(port, { path: '/api/pay', headers: { ...headers } }))
      const statuses = (await Promise.all(sends)).map((r) => r.status === 401 ? (r.json() as { error: { code: string } }).error.code : String(r.status))
      assert.equal(statuses.filter((s) => s === '200').length, 1, `round ${round}: ${statuses.join(' ')}`)
      assert.equal(statuses.filter((s) => s === 'TG_SIGNATURE_REPLAYED').length, 5)
    }
    assert.equal(upstream.seen.length, 5)
  })
})
