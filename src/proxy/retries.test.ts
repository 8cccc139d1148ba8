// Retries through the in-process gateway, against real upstream servers on 127.0.0.1 port 0.
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo } from 'node:net'
import { afterEach, test } from 'node:test'
import { Type } from '@sinclair/typebox'
import type { UpstreamInfo } from '../kit/context.js'
import { definePlugin, PRIORITY } from '../kit/plugin.js'
import { InProcessGateway } from '../testing/inject.js'
import { retryCounts, retryCountsSince } from '../../test/support/retry-counts.js'

/** Records what each request's log phase saw of the upstream. */
const seen: UpstreamInfo[] = []
const record = definePlugin({
  name: 'record-upstream', version: '1', priority: PRIORITY.logging, schema: Type.Object({}),
  log (ctx) { if (ctx.upstream !== undefined) seen.push({ ...ctx.upstream }) }
})

interface Upstream { port: number, requests: number, server: Server }

const open: Array<{ close: () => Promise<void> }> = []

async function upstream (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<Upstream> {
  const server = createServer()
  const up: Upstream = { port: 0, requests: 0, server }
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    up.requests++
    req.resume()
    req.on('end', () => handler(req, res))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  up.port = (server.address() as AddressInfo).port
  open.push({ close: () => { server.closeAllConnections(); return new Promise((resolve) => server.close(() => resolve())) } })
  return up
}

/** A port nothing listens on: connections to it are refused. */
async function deadPort (): Promise<number> {
  const server = createNetServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const port = (server.address() as AddressInfo).port
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return port
}

function gatewayFor (ports: number[], service: Record<string, unknown> = {}, routes: unknown[] = []): InProcessGateway {
  const gateway = new InProcessGateway({ plugins: [record] }).load({
    services: [{ id: 'svc', balancer: 'round-robin', targets: ports.map((port) => ({ host: '127.0.0.1', port })), ...service }],
    routes: [...routes, { id: 'all', service: 'svc', paths: ['/*'] }],
    plugins: [{ name: 'record-upstream' }]
  })
  open.push(gateway)
  return gateway
}

/** Every attempt was ended exactly once: nothing in flight, outcomes add up to attempts sent. */
function assertBalanced (gateway: InProcessGateway, ports: number[]): void {
  for (const port of ports) {
    const state = gateway.targets.peek(`127.0.0.1:${port}`)
    if (state === undefined) continue
    assert.equal(state.inFlight, 0, `in flight on ${port}`)
    assert.equal(state.succeeded + state.failed, state.sent, `outcomes on ${port}`)
    assert.equal(state.unmatchedEnds, 0)
  }
}

afterEach(async () => {
  seen.length = 0
  while (open.length > 0) await open.pop()?.close()
})

const ok = (_req: IncomingMessage, res: ServerResponse): void => { res.end('fine') }
const hang = (): void => {}

void test('a refused target is retried on the next one and the client gets 200', async () => {
  const dead = await deadPort()
  const live = await upstream(ok)
  const gateway = gatewayFor([dead, live.port])
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 200)
  assert.equal(res.body.toString(), 'fine')
  assert.deepEqual(seen.at(-1), { serviceId: 'svc', target: `127.0.0.1:${live.port}`, attempts: 2, status: 200 })
  const deadState = gateway.targets.get(`127.0.0.1:${dead}`)
  assert.deepEqual([deadState.sent, deadState.failed], [1, 1])
  assertBalanced(gateway, [dead, live.port])
})

void test('a POST with a streamed body is retried after a connect refusal: nothing was sent', async () => {
  const dead = await deadPort()
  const live = await upstream((req, res) => { res.end(`got ${req.headers['content-length'] ?? 'chunked'}`) })
  const gateway = gatewayFor([dead, live.port])
  const res = await gateway.inject({ method: 'POST', url: '/orders', body: 'hello' })
  assert.equal(res.status, 200)
  assert.equal(res.body.toString(), 'got 5')
  assert.equal(seen.at(-1)?.attempts, 2)
})

void test('a POST with a streamed body is not retried after a read timeout', async () => {
  const a = await upstream(hang)
  const b = await upstream(hang)
  const gateway = gatewayFor([a.port, b.port], { timeouts: { read_ms: 150 } })
  const res = await gateway.inject({ method: 'POST', url: '/orders', body: 'hello' })
  assert.equal(res.status, 504)
  assert.equal(a.requests + b.requests, 1)
  assert.equal(seen.at(-1)?.attempts, 1)
  assertBalanced(gateway, [a.port, b.port])
})

void test('a GET is retried on another target after a read timeout; the last failure is answered', async () => {
  const a = await upstream(hang)
  const b = await upstream(hang)
  const gateway = gatewayFor([a.port, b.port], { timeouts: { read_ms: 150 } })
  const res = await gateway.inject({ url: '/slow' })
  assert.equal(res.status, 504)
  assert.deepEqual([a.requests, b.requests], [1, 1])
  assert.equal(seen.at(-1)?.attempts, 2)
  assertBalanced(gateway, [a.port, b.port])
})

void test('retries.count 0 answers the first failure', async () => {
  const dead = await deadPort()
  const live = await upstream(ok)
  const gateway = gatewayFor([dead, live.port], { retries: { count: 0 } })
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 502)
  assert.equal(live.requests, 0)
  assert.equal(seen.at(-1)?.attempts, 1)
})

void test('retries stop at retries.count: three refused targets, count 1, two attempts', async () => {
  const dead = [await deadPort(), await deadPort(), await deadPort()]
  const gateway = gatewayFor(dead)
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 502)
  assert.equal(seen.at(-1)?.attempts, 2)
  assertBalanced(gateway, dead)
})

void test('a spent retry budget answers the failure without a retry', async () => {
  const dead = await deadPort()
  const live = await upstream(ok)
  const gateway = gatewayFor([dead, live.port], { retries: { budget_percent: 0, budget_min_per_second: 0 } })
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 502)
  assert.equal(live.requests, 0)
  assert.equal(gateway.snapshot?.services.get('svc')?.retry.budget.refused, 1)
})

void test('a retry is counted in tollgate_upstream_retries_total, a refusal by the budget in ..._budget_exhausted_total', async () => {
  const dead = await deadPort()
  const live = await upstream(ok)
  const before = retryCounts('svc')
  assert.equal((await gatewayFor([dead, live.port]).inject({ url: '/x' })).status, 200)
  assert.deepEqual(retryCountsSince('svc', before), { retries: 1, budgetExhausted: 0 })
  const spent = gatewayFor([dead, live.port], { retries: { budget_percent: 0, budget_min_per_second: 0 } })
  assert.equal((await spent.inject({ url: '/x' })).status, 502)
  assert.deepEqual(retryCountsSince('svc', before), { retries: 1, budgetExhausted: 1 })
})

void test('a status in retries.on_statuses is retried for a GET, passed through for a streamed POST', async () => {
  const a = await upstream((_req, res) => { res.writeHead(503); res.end('busy') })
  const b = await upstream((_req, res) => { res.writeHead(503); res.end('busy too') })
  const gateway = gatewayFor([a.port, b.port], { retries: { on_statuses: [503] } })
  const get = await gateway.inject({ url: '/x' })
  assert.equal(get.status, 503)
  assert.equal(get.body.toString(), 'busy too')
  assert.equal(seen.at(-1)?.attempts, 2)
  const post = await gateway.inject({ method: 'POST', url: '/x', body: 'p' })
  assert.equal(post.status, 503)
  assert.equal(seen.at(-1)?.attempts, 1)
  assertBalanced(gateway, [a.port, b.port])
})

void test('a statuses not listed is passed through without a retry', async () => {
  const a = await upstream((_req, res) => { res.writeHead(503); res.end('busy') })
  const b = await upstream(ok)
  const gateway = gatewayFor([a.port, b.port])
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 503)
  assert.equal(b.requests, 0)
})

void test('never retried after the response head reached the client: a reset mid-body cuts the client', async () => {
  const a = await upstream((_req, res) => {
    res.writeHead(200, { 'content-length': '100' })
    res.write('partial')
    setTimeout(() => res.socket?.destroy(), 20)
  })
  const b = await upstream(ok)
  const gateway = gatewayFor([a.port, b.port])
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.destroyed, true)
  assert.equal(b.requests, 0)
  assert.equal(seen.at(-1)?.attempts, 1)
  assertBalanced(gateway, [a.port, b.port])
})

/** Destroys the connection as soon as the request arrived: a reset before the response head. */
const reset = (req: IncomingMessage): void => { req.socket.resetAndDestroy() }

void test('a GET reset before the head is retried on another target', async () => {
  const a = await upstream(reset)
  const b = await upstream(ok)
  const gateway = gatewayFor([a.port, b.port])
  const res = await gateway.inject({ url: '/x' })
  assert.equal(res.status, 200)
  assert.deepEqual([a.requests, b.requests], [1, 1])
  assert.equal(seen.at(-1)?.attempts, 2)
  assertBalanced(gateway, [a.port, b.port])
})

void test('a POST reset after it was sent is never retried: 502, one upstream saw it', async () => {
  const a = await upstream(reset)
  const b = await upstream(reset)
  const gateway = gatewayFor([a.port, b.port])
  const res = await gateway.inject({ method: 'POST', url: '/orders', body: 'pay 10' })
  assert.equal(res.status, 502)
  assert.equal(a.requests + b.requests, 1)
  assert.equal(seen.at(-1)?.attempts, 1)
  assertBalanced(gateway, [a.port, b.port])
})

void test('a POST on a route marked retryable is retried after a reset, its body sent whole again', async () => {
  const bodies: string[] = []
  const collect = (handler: (req: IncomingMessage, res: ServerResponse) => void) => (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => { bodies.push(Buffer.concat(chunks).toString()); handler(req, res) })
  }
  const a = await upstream(reset)
  const b = await upstream(ok)
  a.server.removeAllListeners('request')
  b.server.removeAllListeners('request')
  a.server.on('request', (req, res) => { a.requests++; collect(reset)(req, res) })
  b.server.on('request', (req, res) => { b.requests++; collect(ok)(req, res) })
  const gateway = gatewayFor([a.port, b.port], {}, [{ id: 'pay', service: 'svc', paths: ['/pay'], retryable: true }])
  const res = await gateway.inject({ method: 'POST', url: '/pay', body: 'pay 10' })
  assert.equal(res.status, 200)
  assert.deepEqual(bodies.sort(), ['pay 10', 'pay 10'])
  assert.equal(seen.at(-1)?.attempts, 2)
  assertBalanced(gateway, [a.port, b.port])
})

void test('a route timeout overrides the service read timeout; other routes keep the service one', async () => {
  const a = await upstream((_req, res) => { setTimeout(() => res.end('late'), 400) })
  const gateway = gatewayFor([a.port], { retries: { count: 0 }, timeouts: { read_ms: 5000 } }, [{ id: 'quick', service: 'svc', paths: ['/quick'], timeouts: { read_ms: 100 } }])
  const quick = await gateway.inject({ url: '/quick' })
  assert.equal(quick.status, 504)
  assert.equal((quick.json() as { error: { code: string } }).error.code, 'TG_UPSTREAM_TIMEOUT')
  const other = await gateway.inject({ url: '/other' })
  assert.equal(other.status, 200)
  assert.equal(other.body.toString(), 'late')
})

void test('every target ejected (panic off): 503 TG_UPSTREAM_UNAVAILABLE at once with Retry-After', async () => {
  const dead = [await deadPort(), await deadPort()]
  const gateway = gatewayFor(dead, {
    retries: { count: 0 },
    panic_threshold_percent: 0,
    passive_health: { consecutive_failures: 1, max_ejected_percent: 100, ejection_jitter_ms: 0, base_ejection_ms: 20_000 }
  })
  assert.equal((await gateway.inject({ url: '/x' })).status, 502)
  assert.equal((await gateway.inject({ url: '/x' })).status, 502)
  const startedAt = performance.now()
  const res = await gateway.inject({ url: '/x' })
  const tookMs = performance.now() - startedAt
  assert.equal(res.status, 503)
  assert.equal((res.json() as { error: { code: string, request_id: string } }).error.code, 'TG_UPSTREAM_UNAVAILABLE')
  assert.ok(Number(res.headers['retry-after']) >= 19 && Number(res.headers['retry-after']) <= 20, res.headers['retry-after'])
  // No connection attempt: answered from the ejection state (generous bound for a busy machine).
  assert.ok(tookMs < 500, `${tookMs} ms`)
  assert.equal(seen.at(-1)?.attempts, 0)
})

void test('every target found down by active checks: 503 with Retry-After; back up, it serves again', async () => {
  const live = await upstream(ok)
  const gateway = gatewayFor([live.port])
  const id = `127.0.0.1:${live.port}`
  gateway.targets.setActiveHealth(id, 'svc', false, performance.now())
  const down = await gateway.inject({ url: '/x' })
  assert.equal(down.status, 503)
  assert.equal(down.headers['retry-after'], '1')
  assert.equal(live.requests, 0)
  gateway.targets.setActiveHealth(id, 'svc', true, performance.now())
  const up = await gateway.inject({ url: '/x' })
  assert.equal(up.status, 200)
  // Back from down, it ramps up (slow start) like a target back from ejection.
  assert.ok(gateway.targets.get(id).rampFromMs > 0)
})
