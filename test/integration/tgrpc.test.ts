// HTTP/JSON → TG-RPC through the gateway, against real TG-RPC backends on loopback.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, type Socket } from 'node:net'
import { InProcessGateway } from '../../src/testing/inject.js'
import { TgRpcServer, TgRpcStatus } from '../../src/tgrpc/index.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { freePort } from '../support/free-port.js'
import { request } from '../support/http-client.js'
import { sendPastRefusingTarget } from '../support/retry-counts.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** A backend that records what it received and answers per method. */
async function orderBackend (): Promise<{ server: TgRpcServer, port: number, seen: Array<{ headers: Map<string, string>, body: string }> }> {
  const seen: Array<{ headers: Map<string, string>, body: string }> = []
  const server = new TgRpcServer()
  server.handle('orders', 'get', (call) => {
    seen.push({ headers: new Map(call.headers), body: call.body.toString() })
    return { headers: [['content-type', 'application/json']], body: call.body }
  })
  server.handle('orders', 'create', () => ({ headers: [['http-status', '201']], body: '{"created":true}' }))
  server.handle('orders', 'missing', () => ({ status: TgRpcStatus.NOT_FOUND, message: 'no such order' }))
  server.handle('orders', 'slow', (call) => new Promise((resolve) => { call.signal.addEventListener('abort', () => resolve({})) }))
  return { server, port: await server.listen(0), seen }
}

function config (ports: number[], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gateway: { listeners: [{ name: 'http', port: 0 }] },
    services: [{ id: 'orders', protocol: 'tgrpc', targets: ports.map((port) => ({ host: '127.0.0.1', port })), timeouts: { read_ms: 300 }, ...extra }],
    routes: [
      { id: 'get', service: 'orders', methods: ['POST'], paths: ['/orders/*'], tgrpc: { service: 'orders', method: 'get', path_params: '/orders/{order_id}', forward_headers: ['x-client'] } },
      { id: 'create', service: 'orders', paths: ['/create'], tgrpc: { service: 'orders', method: 'create' } },
      { id: 'missing', service: 'orders', paths: ['/missing'], tgrpc: { service: 'orders', method: 'missing' } },
      { id: 'slow', service: 'orders', paths: ['/slow'], tgrpc: { service: 'orders', method: 'slow' } },
      { id: 'nope', service: 'orders', paths: ['/nope'], tgrpc: { service: 'orders', method: 'nope' } }
    ]
  }
}

describe('HTTP → TG-RPC conversion (in process, real backend sockets)', () => {
  let backend: Awaited<ReturnType<typeof orderBackend>>
  let gateway: InProcessGateway
  before(async () => {
    backend = await orderBackend()
    gateway = new InProcessGateway().load(config([backend.port]))
  })
  after(async () => {
    await gateway.close()
    await backend.server.close(100)
  })

  it('carries the merchant body byte for byte and maps path, query and headers into the call', async () => {
    const body = '{"id":9007199254740993,"url":"a\\/b","price":1.10}'
    const res = await gateway.inject({ method: 'POST', url: '/orders/A%2012?page=2&sort=asc', headers: { 'x-client': 'sdk-1.2', 'content-type': 'application/json' }, body })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), body)
    const call = backend.seen.at(-1)
    assert.equal(call?.body, body)
    assert.equal(call?.headers.get('p-order_id'), 'A 12')
    assert.equal(call?.headers.get('q-page'), '2')
    assert.equal(call?.headers.get('q-sort'), 'asc')
    assert.equal(call?.headers.get('h-x-client'), 'sdk-1.2')
    assert.equal(call?.headers.get('content-type'), 'application/json')
    assert.equal(call?.headers.get('request-id'), res.headers['x-request-id'])
    assert.ok(Number(call?.headers.get('deadline-ms')) <= 300)
  })

  it('answers the status a backend asks for with http-status', async () => {
    const res = await gateway.inject({ method: 'POST', url: '/create', body: '{}' })
    assert.equal(res.status, 201)
    assert.equal(res.body.toString(), '{"created":true}')
  })

  it('maps RPC statuses to HTTP with the JSON error and request id', async () => {
    const missing = await gateway.inject({ url: '/missing' })
    assert.equal(missing.status, 404)
    const error = (JSON.parse(missing.body.toString()) as { error: { code: string, message: string, request_id: string } }).error
    assert.equal(error.code, 'TG_UPSTREAM_RPC_ERROR')
    assert.equal(error.message, 'NOT_FOUND: no such order')
    assert.equal(error.request_id, missing.headers['x-request-id'])
    assert.equal((await gateway.inject({ url: '/nope' })).status, 501)
  })

  it('answers 504 at the deadline and leaves nothing in flight', async () => {
    const res = await gateway.inject({ url: '/slow' })
    assert.equal(res.status, 504)
    assert.equal(gateway.targets.get(`127.0.0.1:${backend.port}`).inFlight, 0)
  })
})

describe('TG-RPC backend failures', () => {
  it('a backend that dies mid-call is a 502 with nothing left in flight; an unreachable one is retried elsewhere', async () => {
    const sockets: Socket[] = []
    const dying = createServer((socket) => { sockets.push(socket); socket.on('error', () => {}) })
    await new Promise<void>((resolve) => dying.listen(0, '127.0.0.1', resolve))
    const dyingPort = (dying.address() as { port: number }).port
    const gateway = new InProcessGateway().load(config([dyingPort]))
    const pending = gateway.inject({ method: 'POST', url: '/orders/1', body: '{}' })
    while (sockets.length === 0) await sleep(10)
    await sleep(30)
    for (const socket of sockets) socket.destroy()
    const res = await pending
    assert.equal(res.status, 502)
    assert.equal(gateway.targets.get(`127.0.0.1:${dyingPort}`).inFlight, 0)
    await gateway.close()
    dying.close()

    const live = await orderBackend()
    const deadPort = await freePort()
    const both = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1 } }))
    for (let i = 0; i < 4; i++) {
      const answer = await both.inject({ method: 'POST', url: `/orders/${i}`, body: `{"n":${i}}` })
      assert.equal(answer.status, 200, 'a call that never left the gateway is tried on the other target')
      assert.equal(answer.body.toString(), `{"n":${i}}`)
    }
    assert.equal(both.targets.get(`127.0.0.1:${deadPort}`).inFlight, 0)
    await both.close()
    await live.server.close(100)
  })
})

describe('TG-RPC calls lost with their connection', () => {
  /** A target that accepts calls and drops the connection before answering; counts the calls it took. */
  async function droppingTarget (): Promise<{ port: number, calls: () => number, close: () => void }> {
    let calls = 0
    const server = createServer((socket) => {
      socket.on('error', () => {})
      socket.on('data', () => { calls++; socket.destroy() })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { port: (server.address() as { port: number }).port, calls: () => calls, close: () => server.close() }
  }

  const routes = [
    { id: 'get', service: 'orders', methods: ['GET'], paths: ['/orders/*'], tgrpc: { service: 'orders', method: 'get' } },
    { id: 'post', service: 'orders', methods: ['POST'], paths: ['/orders/*'], tgrpc: { service: 'orders', method: 'get' } },
    { id: 'post-retryable', service: 'orders', methods: ['POST'], paths: ['/retryable/*'], retryable: true, tgrpc: { service: 'orders', method: 'get' } }
  ]

  it('are tried on another target for an idempotent method or a retryable route, never otherwise', async () => {
    const dropping = await droppingTarget()
    const live = await orderBackend()
    const gateway = new InProcessGateway().load({
      gateway: { listeners: [{ name: 'http', port: 0 }] },
      // least-connections keeps sending to a target that fails fast (it looks idle); round-robin
      // would zero its weight after the first failure.
      services: [{ id: 'orders', protocol: 'tgrpc', balancer: 'least-connections', retries: { count: 1 }, passive_health: { enabled: false }, targets: [{ host: '127.0.0.1', port: dropping.port }, { host: '127.0.0.1', port: live.port }] }],
      routes
    })
    const statuses = async (method: string, path: string): Promise<number[]> => {
      const out: number[] = []
      for (let i = 0; i < 8; i++) out.push((await gateway.inject({ method, url: `${path}/${i}`, ...(method === 'POST' ? { body: `{"n":${i}}` } : {}) })).status)
      return out
    }
    const ok = Array.from({ length: 8 }, () => 200)
    try {
      assert.deepEqual(await statuses('GET', '/orders'), ok, 'a lost GET is run again on the other target')
      assert.deepEqual(await statuses('POST', '/retryable'), ok, 'so is a POST on a retryable route')
      assert.ok(dropping.calls() >= 2, 'the dropping target took calls of both')
      await lostPostsAreNotRepeated()
    } finally {
      await gateway.close()
      await live.server.close(100)
      dropping.close()
    }

    async function lostPostsAreNotRepeated (): Promise<void> {
      const before = dropping.calls()
      const seenBefore = live.seen.length
      const posts = await statuses('POST', '/orders')
      const lost = dropping.calls() - before
      assert.ok(lost >= 1, 'the dropping target took some of the POSTs')
      assert.equal(posts.filter((status) => status === 502).length, lost, 'a lost POST is answered 502, never sent twice')
      assert.equal(live.seen.length - seenBefore, 8 - lost, 'the live backend ran only the POSTs sent to it')
      assert.equal(gateway.targets.get(`127.0.0.1:${dropping.port}`).inFlight, 0)
      assert.equal(gateway.targets.get(`127.0.0.1:${live.port}`).inFlight, 0)
    }
  })
})

describe('TG-RPC retries in the metrics', () => {
  it('a call refused by one target and sent to another counts as a retry, like an HTTP retry', async () => {
    const live = await orderBackend()
    const deadPort = await freePort()
    const gateway = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1 } }))
    const run = await sendPastRefusingTarget(gateway, 'orders', deadPort, (i) => gateway.inject({ method: 'POST', url: `/orders/${i}`, body: '{}' }))
    assert.deepEqual(run.statuses, [200, 200, 200, 200])
    assert.ok(run.refused >= 1, 'the refusing target was tried')
    assert.deepEqual(run.counted, { retries: run.refused, budgetExhausted: 0 }, 'one retry per refused attempt')
    await gateway.close()
    await live.server.close(100)
  })

  it('a retry the budget refuses is answered and counted as budget exhausted, not as a retry', async () => {
    const live = await orderBackend()
    const deadPort = await freePort()
    const gateway = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1, budget_percent: 0, budget_min_per_second: 0 } }))
    const run = await sendPastRefusingTarget(gateway, 'orders', deadPort, (i) => gateway.inject({ method: 'POST', url: `/orders/${i}`, body: '{}' }))
    assert.ok(run.refused >= 1, 'the refusing target was tried')
    assert.equal(run.statuses.filter((status) => status !== 200).length, run.refused, 'each refused call answered, not retried')
    assert.deepEqual(run.counted, { retries: 0, budgetExhausted: run.refused })
    await gateway.close()
    await live.server.close(100)
  })
})

describe('TG-RPC balancing follows live load', () => {
  for (const balancer of ['p2c-peak-ewma', 'least-connections'] as const) {
    it(`${balancer}: a 5× slower backend gets clearly less traffic; a fast-failing one is ejected`, async () => {
      const counts = [0, 0, 0, 0]
      const servers: TgRpcServer[] = []
      const ports: number[] = []
      for (let i = 0; i < 4; i++) {
        const server = new TgRpcServer()
        const delayMs = i === 2 ? 60 : 12
        server.handle('orders', 'get', async (call) => {
          counts[i] = (counts[i] ?? 0) + 1
          if (i === 3) return { status: TgRpcStatus.UNAVAILABLE, message: 'overloaded' }
          await sleep(delayMs)
          return { body: call.body }
        })
        servers.push(server)
        ports.push(await server.listen(0))
      }
      const gateway = new InProcessGateway().load(config(ports, { balancer, retries: { count: 0 }, slow_start_ms: 0, timeouts: { read_ms: 2000 } }))
      const total = 800
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < total) {
          next++
          await gateway.inject({ method: 'POST', url: '/orders/1', body: '{}' })
        }
      }
      await Promise.all(Array.from({ length: 16 }, worker))
      const share = counts.map((n) => n / total)
      console.log(`TG-RPC ${balancer} shares over ${total} calls: fast ${(share[0] as number * 100).toFixed(1)} % / fast ${(share[1] as number * 100).toFixed(1)} % / 5× slower ${(share[2] as number * 100).toFixed(1)} % / failing ${(share[3] as number * 100).toFixed(1)} %`)
      const fastAverage = ((counts[0] as number) + (counts[1] as number)) / 2
      assert.ok((counts[2] as number) < fastAverage * 0.7, 'the slow backend gets clearly less than a fast one')
      assert.ok((counts[3] as number) <= 15, 'the failing backend is ejected after a few failures')
      await gateway.close()
      for (const server of servers) await server.close(100)
    })
  }
})

describe('TG-RPC through a real gateway process', () => {
  let backend: Awaited<ReturnType<typeof orderBackend>>
  let gateway: GatewayProcess
  let port = 0
  before(async () => {
    backend = await orderBackend()
    port = await freePort()
    const document = config([backend.port])
    document.gateway = { listeners: [{ name: 'http', port }] }
    gateway = new GatewayProcess(document)
    await gateway.start(2)
  })
  after(async () => {
    await gateway.stop()
    await backend.server.close(100)
  })

  it('converts over a real listener with two workers', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await request(port, { method: 'POST', path: `/orders/${i}`, body: `{"big":1234567890123456789${i}}`, headers: { 'content-type': 'application/json' } })
      assert.equal(res.status, 200)
      assert.equal(res.body.toString(), `{"big":1234567890123456789${i}}`)
    }
  })

  it('refuses a route to a TG-RPC service without a call mapping, naming the path', async () => {
    const gatewayInProcess = new InProcessGateway()
    const document = config([backend.port])
    ;(document.routes as Array<Record<string, unknown>>).push({ id: 'bad', service: 'orders', paths: ['/bad'] })
    assert.throws(() => gatewayInProcess.load(document), /routes\/5.*tgrpc mapping/s)
  })
})
