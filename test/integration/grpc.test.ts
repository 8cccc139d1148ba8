// HTTP/JSON → gRPC transcoding through the gateway, against real grpc-js backends on loopback.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { request as httpRequest } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { makeCertificate } from '../support/certs.js'
import { InProcessGateway } from '../../src/testing/inject.js'
import { DEMO_PROTO } from '../../src/conversion/grpc/testing/demo-proto.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { freePort } from '../support/free-port.js'
import { request } from '../support/http-client.js'
import { startGrpcBackend, type GrpcBackend } from '../support/grpc-backend.js'
import { sendPastRefusingTarget } from '../support/retry-counts.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const ORDERS = 'tollgate.demo.Orders'

function config (ports: number[], service: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    gateway: { listeners: [{ name: 'http', port: 0 }] },
    services: [{
      id: 'orders',
      protocol: 'grpc',
      grpc: { proto: DEMO_PROTO, forward_headers: ['x-client'], ignored_query_parameters: ['apikey'] },
      targets: ports.map((port) => ({ host: '127.0.0.1', port })),
      timeouts: { read_ms: 2_000 },
      ...service
    }],
    routes: [
      { id: 'annotated', service: 'orders', paths: ['/v1/*'] },
      { id: 'echo', service: 'orders', methods: ['POST'], paths: ['/echo'], grpc: { service: ORDERS, method: 'Echo' } },
      { id: 'by-id', service: 'orders', methods: ['GET'], paths: ['/orders/*'], grpc: { service: ORDERS, method: 'GetOrder', path: '/orders/{order_id}', body: '' } },
      { id: 'slow', service: 'orders', paths: ['/slow'], timeouts: { read_ms: 200 }, grpc: { service: ORDERS, method: 'GetOrder', body: '' } }
    ]
  }
}

interface ErrorBody { error: { code: string, message: string, request_id: string } }
const errorOf = (body: Buffer): ErrorBody['error'] => (JSON.parse(body.toString()) as ErrorBody).error

describe('HTTP/JSON → gRPC (in process, real grpc-js backend)', () => {
  let backend: GrpcBackend
  let gateway: InProcessGateway
  before(async () => {
    backend = await startGrpcBackend()
    gateway = new InProcessGateway().load(config([backend.port]))
  })
  after(async () => {
    await gateway.close()
    await backend.close()
  })

  it('routes by google.api.http annotations: path and query fill fields, 64-bit values stay exact both ways', async () => {
    const res = await gateway.inject({ url: '/v1/shops/s%201/orders/9007199254740993123?status=STATUS_PAID&fields=a&fields=b&filter.priceCents=-9007199254740993&apikey=k', headers: { 'x-client': 'sdk-1', traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' } })
    assert.equal(res.status, 200, res.body.toString())
    const call = backend.seen.at(-1)
    assert.equal(call?.method, 'GetOrder')
    assert.deepEqual(call?.request, { order_id: '9007199254740993123', shop: 's 1', status: 'STATUS_PAID', fields: ['a', 'b'], filter: { price_cents: '-9007199254740993' } })
    assert.equal(call?.metadata['x-client'], 'sdk-1')
    assert.equal(call?.metadata['x-request-id'], res.headers['x-request-id'])
    assert.match(String(call?.metadata.traceparent), /^00-0af7651916cd43dd8448eb211c80319c-/)
    assert.equal(res.headers['content-type'], 'application/json')
    assert.equal(res.headers['x-backend'], 'demo', 'response metadata becomes headers')
    assert.equal(res.headers['x-trailer'], 'done', 'trailers become headers')
    assert.equal(res.body.toString(),
      '{"orderId":"9007199254740993123","totalMicros":"18446744073709551615","status":"STATUS_PAID","items":[{"sku":"a-1","quantity":2,"priceCents":"-9007199254740993"}],' +
      '"createdAt":"2024-05-01T12:30:00.000005Z","ttl":"90s","limit":"9007199254740993","attributes":{"region":"eu","weight":1.5},"card":"s 1"}')
  })

  it('maps a body field (body: "order") and a whole-message body (additional binding, body: "*")', async () => {
    const created = await gateway.inject({ method: 'POST', url: '/v1/shops/s2/orders', body: '{"orderId":9223372036854775807,"items":[{"sku":"x","quantity":1}],"createdAt":"2024-05-01T00:00:00Z","past":["STATUS_OPEN",2]}' })
    assert.equal(created.status, 200, created.body.toString())
    assert.equal(created.body.toString(), '{"orderId":"9223372036854775807","items":[{"sku":"x","quantity":1}],"createdAt":"2024-05-01T00:00:00Z","card":"s2","past":["STATUS_OPEN","STATUS_PAID"]}')
    const put = await gateway.inject({ method: 'PUT', url: '/v1/orders', body: '{"shop":"s3","order":{"total_micros":"18446744073709551615"}}' })
    assert.equal(put.body.toString(), '{"totalMicros":"18446744073709551615","card":"s3"}')
  })

  it('binds multi-segment variables and answers with response_body only', async () => {
    const res = await gateway.inject({ url: '/v1/shelves/12' })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), '"shelves/12"')
  })

  it('routes by the route config: a full order round-trips exactly; a path template fills fields', async () => {
    const order = '{"orderId":"-9223372036854775808","totalMicros":"18446744073709551615","checksum":"18446744073709551615","small":-7,"status":"STATUS_OPEN","items":[{"sku":"a","quantity":4294967295,"priceCents":"9007199254740993"}],"tags":["1","-2"],"counters":{"k":"9007199254740993"},"createdAt":"0001-01-01T00:00:00Z","ttl":"-315576000000s","note":"","attributes":{"a":[true,null,{"b":"c"}]},"mask":"orderId,mainItem.sku","signature":"AP8=","ratio":0.1,"weight":0.5,"account":"acc","priority":0,"extra":"text","gift":true,"mainItem":{"sku":"m"},"bySlot":{"7":{"quantity":1}}}'
    const echoed = await gateway.inject({ method: 'POST', url: '/echo', body: order })
    assert.equal(echoed.status, 200, echoed.body.toString())
    assert.equal(echoed.body.toString(), order)
    const byId = await gateway.inject({ url: '/orders/18?shop=s9' })
    assert.equal(byId.status, 200)
    assert.deepEqual(backend.seen.at(-1)?.request, { order_id: '18', shop: 's9' })
  })

  it('refuses bad requests with 400, the value path and the request id', async () => {
    const echoesBefore = backend.seen.filter((call) => call.method === 'Echo').length
    const unknown = await gateway.inject({ method: 'POST', url: '/echo', body: '{"items":[{"sku":"a","colour":"red"}]}' })
    assert.equal(unknown.status, 400)
    assert.deepEqual(errorOf(unknown.body), { code: 'TG_REQUEST_FIELD_INVALID', message: '/items/0/colour: unknown field of tollgate.demo.Item', request_id: unknown.headers['x-request-id'] })
    const wrongType = await gateway.inject({ method: 'POST', url: '/echo', body: '{"orderId":{"n":1}}' })
    assert.match(errorOf(wrongType.body).message, /^\/orderId: expected int64/)
    const tooBig = await gateway.inject({ method: 'POST', url: '/echo', body: '{"totalMicros":18446744073709551616}' })
    assert.match(errorOf(tooBig.body).message, /^\/totalMicros: 18446744073709551616 is out of range/)
    const badQuery = await gateway.inject({ url: '/v1/shops/s/orders/1?colour=red' })
    assert.equal(badQuery.status, 400)
    assert.match(errorOf(badQuery.body).message, /^query parameter 'colour': /)
    const badPath = await gateway.inject({ url: '/v1/shops/s/orders/abc' })
    assert.match(errorOf(badPath.body).message, /^path variable \{order_id\}: expected int64/)
    const notJson = await gateway.inject({ method: 'POST', url: '/echo', body: '{"orderId":' })
    assert.equal(errorOf(notJson.body).code, 'TG_REQUEST_BODY_INVALID_JSON')
    const unbound = await gateway.inject({ method: 'DELETE', url: '/v1/shops/s/orders/1' })
    assert.equal(unbound.status, 404)
    assert.equal(backend.seen.filter((call) => call.method === 'Echo').length, echoesBefore, 'no bad request reached the backend')
  })

  it('maps every gRPC status to its HTTP status with the JSON error body', async () => {
    const table: Array<[number, number]> = [[1, 499], [2, 500], [3, 400], [5, 404], [6, 409], [7, 403], [8, 429], [9, 400], [10, 409], [11, 400], [12, 501], [13, 500], [15, 500], [16, 401]]
    for (const [code, httpStatus] of table) {
      const res = await gateway.inject({ url: `/v1/shops/code-${code}/orders/1` })
      assert.equal(res.status, httpStatus, `gRPC status ${code}`)
      const error = errorOf(res.body)
      assert.equal(error.code, 'TG_UPSTREAM_RPC_ERROR')
      assert.match(error.message, new RegExp(`^[A-Z_]+: status ${code} on purpose$`))
      assert.equal(error.request_id, res.headers['x-request-id'])
      assert.equal(res.headers['grpc-status'], String(code))
    }
  })

  it('answers 504 at the deadline, cancels the backend call and leaves nothing in flight', async () => {
    const res = await gateway.inject({ url: '/slow?shop=slow' })
    assert.equal(res.status, 504)
    assert.equal(errorOf(res.body).code, 'TG_UPSTREAM_TIMEOUT')
    assert.equal(gateway.targets.get(`127.0.0.1:${backend.port}`).inFlight, 0)
    for (let i = 0; i < 100 && backend.seen.at(-1)?.cancelled !== true; i++) await sleep(10)
    assert.equal(backend.seen.at(-1)?.cancelled, true, 'the backend saw the deadline')
  })
})

describe('gRPC backend failures', () => {
  it('an unreachable backend is a 503; with a live one beside it the call is tried there', async () => {
    const deadPort = await freePort()
    const gateway = new InProcessGateway().load(config([deadPort], { retries: { count: 0 } }))
    const res = await gateway.inject({ url: '/v1/shops/s/orders/1' })
    assert.equal(res.status, 503)
    assert.equal(errorOf(res.body).code, 'TG_UPSTREAM_UNAVAILABLE')
    assert.equal(gateway.targets.get(`127.0.0.1:${deadPort}`).inFlight, 0)
    await gateway.close()

    const live = await startGrpcBackend()
    const both = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1 } }))
    for (let i = 0; i < 4; i++) assert.equal((await both.inject({ url: `/v1/shops/s/orders/${i}` })).status, 200)
    assert.equal(both.targets.get(`127.0.0.1:${deadPort}`).inFlight, 0)
    await both.close()
    await live.close()
  })
})

describe('gRPC retries in the metrics', () => {
  it('a call answered UNAVAILABLE by a refusing target and sent to another counts as a retry, like an HTTP retry', async () => {
    const live = await startGrpcBackend()
    const deadPort = await freePort()
    const gateway = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1 } }))
    const run = await sendPastRefusingTarget(gateway, 'orders', deadPort, (i) => gateway.inject({ url: `/v1/shops/s/orders/${i}` }))
    assert.deepEqual(run.statuses, [200, 200, 200, 200])
    assert.ok(run.refused >= 1, 'the refusing target was tried')
    assert.deepEqual(run.counted, { retries: run.refused, budgetExhausted: 0 }, 'one retry per refused attempt')
    await gateway.close()
    await live.close()
  })

  it('a retry the budget refuses is answered and counted as budget exhausted, not as a retry', async () => {
    const live = await startGrpcBackend()
    const deadPort = await freePort()
    const gateway = new InProcessGateway().load(config([deadPort, live.port], { balancer: 'round-robin', retries: { count: 1, budget_percent: 0, budget_min_per_second: 0 } }))
    const run = await sendPastRefusingTarget(gateway, 'orders', deadPort, (i) => gateway.inject({ url: `/v1/shops/s/orders/${i}` }))
    assert.ok(run.refused >= 1, 'the refusing target was tried')
    assert.equal(run.statuses.filter((status) => status !== 200).length, run.refused, 'each refused call answered, not retried')
    assert.deepEqual(run.counted, { retries: 0, budgetExhausted: run.refused })
    await gateway.close()
    await live.close()
  })
})

describe('gRPC over TLS', () => {
  it('calls a TLS backend whose certificate the service trusts, by address or by servername, and refuses an untrusted one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-grpc-tls-'))
    const byAddress = makeCertificate(dir, 'by-address', ['grpc.test', '127.0.0.1'])
    const byName = makeCertificate(dir, 'by-name', ['orders.internal'])
    const backends = [await startGrpcBackend({ tls: byAddress }), await startGrpcBackend({ tls: byName })]
    const cases: Array<[string, GrpcBackend, Record<string, unknown>, number]> = [
      ['CA file, address in the certificate', backends[0] as GrpcBackend, { ca_file: byAddress.certFile }, 200],
      ['CA file and servername', backends[1] as GrpcBackend, { ca_file: byName.certFile, servername: 'orders.internal' }, 200],
      ['CA file, name not in the certificate', backends[1] as GrpcBackend, { ca_file: byName.certFile }, 503],
      ['no CA: not trusted', backends[0] as GrpcBackend, {}, 503],
      ['verify off', backends[1] as GrpcBackend, { verify: false }, 200]
    ]
    for (const [name, backend, tls, status] of cases) {
      const gateway = new InProcessGateway().load(config([backend.port], { grpc: { proto: DEMO_PROTO, tls: true }, tls, retries: { count: 0 } }))
      const res = await gateway.inject({ url: '/v1/shops/s/orders/1' })
      assert.equal(res.status, status, `${name}: ${res.body.toString()}`)
      await gateway.close()
    }
    const named = makeCertificate(dir, 'localhost', ['localhost'])
    const namedBackend = await startGrpcBackend({ tls: named })
    const document = config([namedBackend.port], { grpc: { proto: DEMO_PROTO, tls: true }, tls: { ca_file: named.certFile } })
    ;(document.services as Array<Record<string, unknown>>)[0]!.targets = [{ host: 'localhost', port: namedBackend.port }]
    const gateway = new InProcessGateway().load(document)
    assert.equal((await gateway.inject({ url: '/v1/shops/s/orders/1' })).status, 200, 'a target given by host name is checked against that name')
    await gateway.close()
    await namedBackend.close()
    for (const backend of backends) await backend.close()
    rmSync(dir, { recursive: true, force: true })
  })
})

describe('a backend answer that is not the declared message', () => {
  it('is a 502 and the worker carries on', async () => {
    const backend = await startGrpcBackend()
    // The gateway believes GetShelf answers an Order; the backend sends a ShelfRequest (field 1 is a string, not an int64).
    const proto = DEMO_PROTO.replace('rpc GetShelf(ShelfRequest) returns (ShelfRequest) {', 'rpc GetShelf(ShelfRequest) returns (Order) {').replace('response_body: "name"', '')
    const gateway = new InProcessGateway().load(config([backend.port], { grpc: { proto } }))
    const res = await gateway.inject({ url: '/v1/shelves/1' })
    assert.equal(res.status, 502)
    assert.match(errorOf(res.body).message, /does not decode/)
    assert.equal((await gateway.inject({ url: '/v1/shops/s/orders/1' })).status, 200)
    await gateway.close()
    await backend.close()
  })
})

describe('gRPC balancing follows live load', () => {
  for (const balancer of ['p2c-peak-ewma', 'least-connections'] as const) {
    it(`${balancer}: a 5× slower target gets clearly less traffic; a fast-failing one is ejected`, async () => {
      const backends = [
        await startGrpcBackend({ delayMs: 12 }),
        await startGrpcBackend({ delayMs: 12 }),
        await startGrpcBackend({ delayMs: 60 }),
        await startGrpcBackend({ failWith: 14 })
      ]
      const gateway = new InProcessGateway().load(config(backends.map((b) => b.port), { balancer, retries: { count: 0 }, slow_start_ms: 0 }))
      const total = 800
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < total) {
          next++
          await gateway.inject({ url: '/v1/shops/s/orders/1' })
        }
      }
      await Promise.all(Array.from({ length: 16 }, worker))
      const counts = backends.map((b) => b.count)
      const share = counts.map((n) => (n / total * 100).toFixed(1))
      console.log(`gRPC ${balancer} shares over ${total} calls: fast ${share[0]} % / fast ${share[1]} % / 5× slower ${share[2]} % / failing ${share[3]} %`)
      const fastAverage = ((counts[0] as number) + (counts[1] as number)) / 2
      assert.ok((counts[2] as number) < fastAverage * 0.7, 'the slow target gets clearly less than a fast one')
      assert.ok((counts[3] as number) <= 15, 'the failing target is ejected after a few failures')
      for (const b of backends) assert.equal(gateway.targets.get(`127.0.0.1:${b.port}`).inFlight, 0)
      await gateway.close()
      for (const b of backends) await b.close()
    })
  }
})

describe('gRPC through a real gateway process', () => {
  let backend: GrpcBackend
  let gateway: GatewayProcess
  let port = 0
  before(async () => {
    backend = await startGrpcBackend()
    port = await freePort()
    const document = config([backend.port])
    document.gateway = { listeners: [{ name: 'http', port }] }
    gateway = new GatewayProcess(document)
    await gateway.start(2)
  })
  after(async () => {
    await gateway.stop()
    await backend.close()
  })

  it('transcodes over a real listener with two workers', async () => {
    for (let i = 0; i < 4; i++) {
      const res = await request(port, { method: 'POST', path: '/echo', body: `{"totalMicros":"1234567890123456789${i}"}`, headers: { 'content-type': 'application/json' } })
      assert.equal(res.status, 200, res.body.toString())
      assert.equal(res.body.toString(), `{"totalMicros":"1234567890123456789${i}"}`)
    }
  })

  it('cancels the backend call when the client goes away', async () => {
    const before = backend.seen.length
    const req = httpRequest({ host: '127.0.0.1', port, path: '/slow?shop=slow', method: 'GET' })
    req.on('error', () => {})
    req.end()
    for (let i = 0; i < 200 && backend.seen.length === before; i++) await sleep(10)
    const call = backend.seen.at(-1)
    assert.ok(call !== undefined && backend.seen.length > before, 'the call reached the backend')
    req.destroy()
    for (let i = 0; i < 100 && !call.cancelled; i++) await sleep(10)
    assert.equal(call.cancelled, true)
  })
})
