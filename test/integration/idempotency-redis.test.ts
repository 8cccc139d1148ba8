import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { Redis } from 'ioredis'
import { gatewayConfig } from '../support/configs.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'
import { orderUpstream, postOrder, waitUntil } from './idempotency-support.js'

const gateways: GatewayProcess[] = []
const PREFIX = `tgtest:idem:${process.pid}:${randomBytes(4).toString('hex')}:`

/** Waits until the response of `key` (client 127.0.0.1) is in Redis: it is stored after its last byte, off the request path. */
async function waitStored (key: string): Promise<void> {
  const client = new Redis({ host: REDIS.host, port: REDIS.port })
  try {
    for (let i = 0; i < 200; i++) {
      const value = await client.get(`${PREFIX}idempotency:ip:127.0.0.1:${key}`)
      if (value !== null && value.includes('"status"')) return
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
    throw new Error(`the response of ${key} was never stored`)
  } finally {
    client.disconnect()
  }
}

async function startGateway (upstreamPort: number, redis: { host: string, port: number }, plugins: unknown[]): Promise<{ gateway: GatewayProcess, port: number }> {
  const port = await freePort()
  const gateway = new GatewayProcess(gatewayConfig({
    port,
    upstreamPort,
    gateway: { redis: { host: redis.host, port: redis.port, key_prefix: PREFIX, command_timeout_ms: 300, max_reconnect_delay_ms: 200 } },
    routes: [
      { id: 'orders', service: 'backend', paths: ['/orders/*'] },
      { id: 'strict', service: 'backend', paths: ['/strict/*'] }
    ],
    plugins
  }))
  gateways.push(gateway)
  // Generous: several engineers' suites share two cores.
  await gateway.start(1, 45_000)
  return { gateway, port }
}

describe('idempotency with Redis shared by two gateway processes', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const { upstream, held, calls } = orderUpstream()
  let portA: number
  let portB: number
  let portFaulty: number
  let fault: FaultProxy
  const plugins = [
    { name: 'idempotency', route: 'orders' },
    { name: 'idempotency', route: 'strict', config: { redis_failure: 'closed' } }
  ]

  before(async () => {
    const upstreamPort = await upstream.listen()
    fault = await FaultProxy.start(REDIS)
    const a = await startGateway(upstreamPort, REDIS, plugins)
    const b = await startGateway(upstreamPort, REDIS, plugins)
    const faulty = await startGateway(upstreamPort, { host: fault.host, port: fault.port }, plugins)
    portA = a.port
    portB = b.port
    portFaulty = faulty.port
  })

  after(async () => {
    for (const res of held) res.end()
    await Promise.all(gateways.map((gateway) => gateway.stop()))
    await fault.close()
    await upstream.close()
    const client = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true })
    await client.connect()
    const keys = await client.keys(`${PREFIX}*`)
    if (keys.length > 0) await client.del(...keys)
    client.disconnect()
  })

  it('replays on gateway B the response of a request gateway A ran, from Redis', async () => {
    const first = await postOrder(portA, '/orders/create', 'shared-1')
    assert.equal(first.status, 201)
    await waitStored('shared-1')
    const before = calls()
    const onB = await postOrder(portB, '/orders/create', 'shared-1')
    assert.equal(calls(), before)
    assert.equal(onB.status, 201)
    assert.equal(onB.body.toString(), first.body.toString())
    assert.equal(onB.headers['idempotent-replayed'], 'true')
    const client = new Redis({ host: REDIS.host, port: REDIS.port })
    const ttl = await client.pttl(`${PREFIX}idempotency:ip:127.0.0.1:shared-1`)
    client.disconnect()
    assert.ok(ttl > 86_000_000 && ttl <= 86_400_000, `stored for ttl_seconds, got ${ttl} ms`)
  })

  it('answers 409 on gateway B while gateway A runs the first request, 422 to another body', async () => {
    const first = postOrder(portA, '/orders/slow', 'shared-2')
    await waitUntil(() => held.length > 0)
    assert.equal((await postOrder(portB, '/orders/slow', 'shared-2')).status, 409)
    assert.equal((await postOrder(portB, '/orders/slow', 'shared-2', '{"other":1}')).status, 422)
    const res = held.shift() as ServerResponse
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"slow":true}')
    assert.equal((await first).status, 200)
    await waitStored('shared-2')
    const replayed = await postOrder(portB, '/orders/slow', 'shared-2')
    assert.equal(replayed.body.toString(), '{"slow":true}')
  })

  it('Redis down: fail-open lets requests through without idempotency, fail-closed answers 503; back up, replay works again', async () => {
    assert.equal((await postOrder(portFaulty, '/orders/create', 'outage-0')).status, 201)
    // The response is stored after its last byte, off the request path: wait until it replays.
    let stored = false
    for (let i = 0; i < 50 && !stored; i++) stored = (await postOrder(portFaulty, '/orders/create', 'outage-0')).headers['idempotent-replayed'] === 'true'
    assert.ok(stored)
    await fault.setMode({ kind: 'refuse' })
    fault.cutAll()
    const before = calls()
    const one = await postOrder(portFaulty, '/orders/create', 'outage-1')
    const two = await postOrder(portFaulty, '/orders/create', 'outage-1')
    assert.equal(one.status, 201)
    assert.equal(two.status, 201)
    assert.equal(two.headers['idempotent-replayed'], undefined)
    assert.equal(calls(), before + 2)
    const closed = await postOrder(portFaulty, '/strict/create', 'outage-2')
    assert.equal(closed.status, 503)
    assert.equal((closed.json() as { error: { code: string } }).error.code, 'TG_IDEMPOTENCY_UNAVAILABLE')
    await fault.setMode({ kind: 'pass' })
    let replayed = false
    for (let i = 0; i < 200 && !replayed; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100))
      replayed = (await postOrder(portFaulty, '/orders/create', 'outage-0')).headers['idempotent-replayed'] === 'true'
    }
    assert.ok(replayed, 'the stored response is replayed again once Redis is back')
  })
})
