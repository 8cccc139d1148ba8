// The cluster rate-limit policy across real gateway processes sharing the real Redis: the sum of
// admitted requests never exceeds the limit; with Redis cut each node falls back to its share.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import http from 'node:http'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { gatewayConfig } from '../support/configs.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request, type TestResponse } from '../support/http-client.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'
import { UpstreamServer } from '../support/upstream-server.js'

const HOUR_MS = 3_600_000

function config (port: number, upstreamPort: number, redis: { host: string, port: number }, prefix: string, limit: number): Record<string, unknown> {
  return gatewayConfig({
    port,
    upstreamPort,
    gateway: { redis: { host: redis.host, port: redis.port, key_prefix: prefix, command_timeout_ms: 300, max_reconnect_delay_ms: 200 } },
    routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }],
    plugins: [{
      name: 'rate-limit',
      route: 'api',
      config: { limits: [{ limit, per: 'hour' }], window: 'fixed', key_by: ['route', 'header:x-client'], policy: 'cluster' }
    }]
  })
}

/** Sends `count` requests over keep-alive connections (several per gateway, so both workers serve). */
async function load (ports: number[], count: number, client: string, concurrency = 8): Promise<{ responses: TestResponse[], slowestMs: number }> {
  const agents = ports.map(() => new http.Agent({ keepAlive: true, maxSockets: concurrency }))
  const responses: TestResponse[] = []
  let slowestMs = 0
  let next = 0
  const lanes = ports.flatMap((port, p) => Array.from({ length: concurrency }, () => ({ port, agent: agents[p] as http.Agent })))
  await Promise.all(lanes.map(async ({ port, agent }) => {
    while (next < count) {
      next++
      const started = Date.now()
      responses.push(await request(port, { path: '/api/x', headers: { 'x-client': client }, agent }))
      slowestMs = Math.max(slowestMs, Date.now() - started)
    }
  }))
  for (const agent of agents) agent.destroy()
  return { responses, slowestMs }
}

/** Removes the keys a run wrote under its own prefix. */
async function deleteKeys (prefix: string): Promise<void> {
  const client = new Redis({ host: REDIS.host, port: REDIS.port })
  const keys = await client.keys(`${prefix}*`)
  if (keys.length > 0) await client.del(...keys)
  client.disconnect()
}

function crashes (gateway: GatewayProcess): number {
  return gateway.lines.filter((l) => l.msg === 'worker exited; restarting').length
}

describe('rate-limit cluster policy across three gateways', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-rlc-${randomBytes(4).toString('hex')}:`
  const upstream = new UpstreamServer()
  const gateways: GatewayProcess[] = []
  const ports: number[] = []
  const LIMIT = 300

  before(async () => {
    const upstreamPort = await upstream.listen()
    for (let i = 0; i < 3; i++) {
      const port = await freePort()
      const gateway = new GatewayProcess(config(port, upstreamPort, REDIS, prefix, LIMIT))
      gateways.push(gateway)
      ports.push(port)
    }
    await Promise.all(gateways.map((g) => g.start(2, 30_000)))
    // Heartbeats: every worker counted before the load, so leases are sized for six.
    await new Promise((resolve) => setTimeout(resolve, 2500))
  })

  after(async () => {
    await Promise.all(gateways.map((g) => g.stop()))
    await upstream.close()
    await deleteKeys(prefix)
  })

  it('the sum admitted by three gateways (2 workers each) never exceeds the limit, and comes close to it', async () => {
    let client = ''
    let result
    let startedMs
    // A run that crossed an hour boundary counts two windows; run again with a fresh key.
    do {
      client = `load-${randomBytes(3).toString('hex')}`
      startedMs = Date.now()
      result = await load(ports, 2 * LIMIT, client)
    } while (Math.floor(startedMs / HOUR_MS) !== Math.floor(Date.now() / HOUR_MS))
    const admitted = result.responses.filter((r) => r.status === 200).length
    const refused = result.responses.filter((r) => r.status === 429)
    console.log(`cluster policy, 3 gateways x 2 workers, limit ${LIMIT}/hour, ${result.responses.length} requests: admitted ${admitted}, refused ${refused.length}, upstream saw ${upstream.seen.length}, slowest ${result.slowestMs} ms`)
    assert.equal(admitted + refused.length, 2 * LIMIT, 'every request answered 200 or 429')
    assert.ok(admitted <= LIMIT, `admitted ${admitted} > limit ${LIMIT}`)
    assert.ok(admitted >= LIMIT * 0.8, `admitted ${admitted} is far under the limit ${LIMIT}`)
    assert.equal(upstream.seen.length, admitted)
    const first = refused[0] as TestResponse
    const body = first.json() as { error: { code: string, request_id: string } }
    assert.equal(body.error.code, 'TG_RATE_LIMITED')
    assert.equal(body.error.request_id, first.headers['x-request-id'])
    assert.ok(Number(first.headers['retry-after']) >= 1)
    assert.equal(first.headers['ratelimit-limit'], String(LIMIT))
    assert.equal(first.headers['ratelimit-remaining'], '0')
    const ok = result.responses.find((r) => r.status === 200) as TestResponse
    assert.equal(ok.headers['ratelimit-limit'], String(LIMIT))
    assert.ok(Number(ok.headers['ratelimit-remaining']) < LIMIT)
    assert.ok(Number(ok.headers['ratelimit-reset']) <= 3600)
    assert.equal(ok.headers['ratelimit-policy'], `${LIMIT};w=3600`)
    assert.deepEqual(gateways.map(crashes), [0, 0, 0])
  })
})

describe('rate-limit cluster policy with Redis cut', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-rlo-${randomBytes(4).toString('hex')}:`
  const upstream = new UpstreamServer()
  let proxy: FaultProxy
  let gateway: GatewayProcess
  let port: number
  const LIMIT = 40

  before(async () => {
    proxy = await FaultProxy.start(REDIS)
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(config(port, upstreamPort, { host: proxy.host, port: proxy.port }, prefix, LIMIT))
    await gateway.start(2, 30_000)
    await new Promise((resolve) => setTimeout(resolve, 2500))
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
    await proxy.close()
    await deleteKeys(prefix)
  })

  it('keeps answering with the fallback share, no request hangs, no worker dies; leases again once Redis is back', async () => {
    await proxy.setMode({ kind: 'refuse' })
    proxy.cutAll()
    const during = await load([port], 3 * LIMIT, 'outage', 4)
    const admitted = during.responses.filter((r) => r.status === 200).length
    console.log(`Redis cut: 1 node x 2 workers, limit ${LIMIT}: admitted ${admitted} of ${during.responses.length}, slowest ${during.slowestMs} ms`)
    assert.equal(during.responses.length, 3 * LIMIT)
    assert.ok(during.responses.every((r) => r.status === 200 || r.status === 429), 'only 200 and 429')
    // each worker admits floor(limit / (1 node × 2 workers)); a connection may land on either
    assert.ok(admitted >= LIMIT / 2 && admitted <= LIMIT, `fallback admitted ${admitted}`)
    assert.ok(during.slowestMs < 2000, `a request took ${during.slowestMs} ms`)
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('rate-limit cluster policy: Redis unreachable'))

    await proxy.setMode({ kind: 'pass' })
    await gateway.waitForLog((l) => l.msg === 'redis reachable again', 10_000, 2)
    const back = await load([port], 2 * LIMIT, 'recovered', 4)
    const admittedBack = back.responses.filter((r) => r.status === 200).length
    console.log(`Redis back: admitted ${admittedBack} of ${back.responses.length}`)
    assert.ok(admittedBack <= LIMIT && admittedBack >= LIMIT * 0.8, `admitted ${admittedBack} after recovery`)
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('Redis reachable again; leasing'))
    const client = new Redis({ host: REDIS.host, port: REDIS.port })
    const keys = await client.keys(`${prefix}rl:{*`)
    client.disconnect()
    assert.ok(keys.length > 0, 'the counter lives in Redis again')
    assert.equal(crashes(gateway), 0)
  })
})
