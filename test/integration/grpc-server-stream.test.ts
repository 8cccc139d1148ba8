// Server-streaming gRPC methods through the gateway's real ingresses (fast-h1 and node, listening on
// loopback in this process, so balancer state and the log phase can be looked at) to a real
// grpc-js backend: NDJSON lines in order, late and early errors, back-pressure, aborts, idle timeouts.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../../src/kit/plugin.js'
import { InProcessGateway } from '../../src/testing/inject.js'
import type { ListenerSet } from '../../src/server/listener-set.js'
import { STREAM_PROTO } from '../../src/conversion/grpc/testing/stream-proto.js'
import { FIRST_SEQ, MAX_UINT64, startStreamBackend, type StreamBackend, type StreamCall } from '../support/grpc-stream-backend.js'
import { openStream } from '../support/stream-reader.js'
import { request } from '../support/http-client.js'
import { freePort } from '../support/free-port.js'
import { sendPastRefusingTarget } from '../support/retry-counts.js'
import { BOTH_INGRESS_LISTENERS, openIngressListeners } from '../support/in-process-listeners.js'
import { halfClosedExchange } from '../support/raw-connection.js'

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))
const FEED = 'tollgate.feed.Feed'

/** What the log phase saw of each request. */
interface LogRecord { status: number | undefined, bytesSent: number | undefined, errorCode: string | undefined }
const logged = new Map<string, LogRecord[]>()
const recordLog = definePlugin({
  name: 'record-log',
  version: '1',
  priority: PRIORITY.logging,
  schema: Type.Object({}),
  log (ctx) {
    const records = logged.get(ctx.request.id) ?? []
    records.push({ status: ctx.response?.status, bytesSent: ctx.response?.bytesSent, errorCode: ctx.response?.errorCode })
    logged.set(ctx.request.id, records)
  }
})

function document (targets: number[]): Record<string, unknown> {
  return {
    gateway: { listeners: BOTH_INGRESS_LISTENERS },
    services: [{ id: 'feed', protocol: 'grpc', grpc: { proto: STREAM_PROTO }, balancer: 'round-robin', targets: targets.map((port) => ({ host: '127.0.0.1', port })), timeouts: { read_ms: 5_000 } }],
    routes: [
      { id: 'feed', service: 'feed', paths: ['/v1/*'] },
      { id: 'idle', service: 'feed', methods: ['GET'], paths: ['/idle/*'], timeouts: { read_ms: 300 }, grpc: { service: FEED, method: 'Watch', path: '/idle/{shop}', body: '' } },
      { id: 'slow', service: 'feed', methods: ['GET'], paths: ['/slow/*'], timeouts: { read_ms: 500 }, grpc: { service: FEED, method: 'Watch', path: '/slow/{shop}', body: '' } }
    ],
    plugins: [{ name: 'record-log' }]
  }
}

/** The JSON line of Watch message `i`. */
function tickLine (i: number, shop: string, padBytes = 0): string {
  const pad = padBytes > 0 ? `,"pad":"${'x'.repeat(padBytes)}"` : ''
  return `{"seq":"${FIRST_SEQ + BigInt(i)}","big":"${MAX_UINT64 - BigInt(i)}","shop":"${shop}"${pad}}`
}

/** The one log record of a request (the log phase ran exactly once). */
function logOf (requestId: string | string[] | undefined): LogRecord {
  const records = logged.get(String(requestId)) ?? []
  assert.equal(records.length, 1, `log records of ${String(requestId)}`)
  return records[0] as LogRecord
}

/** Every attempt was reported exactly once: nothing in flight, outcomes add up to attempts sent. */
async function assertBalanced (gateway: InProcessGateway, ports: number[]): Promise<void> {
  for (const port of ports) {
    const state = gateway.targets.peek(`127.0.0.1:${port}`)
    if (state === undefined) continue
    // A cancelled call reports when grpc-js delivers its status, a moment after the cancel.
    for (let i = 0; i < 100 && state.inFlight !== 0; i++) await sleep(10)
    assert.equal(state.inFlight, 0, `in flight on ${port}`)
    assert.equal(state.succeeded + state.failed, state.sent, `outcomes on ${port}`)
    assert.equal(state.unmatchedEnds, 0)
  }
}

/**
 * Bytes the client's connection holds while its reader reads nothing: the gateway's socket send
 * buffer, which Linux grows up to tcp_wmem's maximum, and the client's receive buffer at its start
 * size (tcp_rmem's default: it grows only as the application reads). Linux's defaults otherwise.
 */
function clientConnectionBufferBytes (): number {
  const sizes = (name: string): number[] => readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim().split(/\s+/).map(Number)
  try {
    return (sizes('tcp_wmem')[2] as number) + (sizes('tcp_rmem')[1] as number)
  } catch {
    return 4 * 1024 * 1024 + 128 * 1024
  }
}

/**
 * What the gRPC side holds at most, rounded up to 1 MiB: grpc-js's read buffer (16 messages),
 * the HTTP/2 stream window (64 KiB) and the backend's write buffer (16 messages).
 */
const GRPC_SIDE_BYTES = 1024 * 1024

/** The payload of a complete chunked body (trailers ignored). */
function dechunk (body: Buffer): Buffer {
  const parts: Buffer[] = []
  let at = 0
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at)
    const size = parseInt(body.subarray(at, lineEnd).toString('latin1'), 16)
    if (!(size > 0)) return Buffer.concat(parts)
    parts.push(body.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
}

async function until (what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await sleep(10)
  assert.ok(check(), what)
}

/** The newest backend call, once it arrived. */
async function lastCall (backend: StreamBackend, before: number): Promise<StreamCall> {
  await until('the call reached the backend', () => backend.calls.length > before)
  return backend.calls.at(-1) as StreamCall
}

describe('server-streaming gRPC through both ingresses', () => {
  let backend: StreamBackend
  let gateway: InProcessGateway
  let listeners: ListenerSet
  let ports: Record<'fast-h1' | 'node', number>
  before(async () => {
    backend = await startStreamBackend()
    const config = document([backend.port])
    gateway = new InProcessGateway({ plugins: [recordLog] }).load(config)
    ;({ listeners, ports } = await openIngressListeners(gateway, config, (name) => name === 'record-log' ? recordLog.schema : undefined))
  })
  after(async () => {
    listeners.stopAccepting()
    listeners.closeAll()
    try {
      await assertBalanced(gateway, [backend.port])
    } finally {
      await gateway.close()
      await backend.close()
    }
  })

  for (const ingress of ['fast-h1', 'node'] as const) {
    it(`${ingress}: streams every message in order, one JSON line each, 64-bit values exact`, async () => {
      const reader = await openStream(ports[ingress], '/v1/shops/s1/ticks?count=1000')
      assert.equal(reader.status, 200)
      assert.equal(reader.headers['content-type'], 'application/x-ndjson')
      assert.equal(reader.headers['transfer-encoding'], 'chunked')
      assert.equal(reader.headers['x-backend'], 'feed', 'response metadata becomes headers')
      assert.deepEqual(await reader.ended, { complete: true })
      const lines = reader.received().toString().split('\n')
      assert.equal(lines.pop(), '', 'the body ends with a newline')
      assert.deepEqual(lines, Array.from({ length: 1000 }, (_, i) => tickLine(i, 's1')))
      assert.deepEqual(logOf(reader.headers['x-request-id']), { status: 200, bytesSent: reader.received().length, errorCode: undefined })
      await assertBalanced(gateway, [backend.port])
    })

    it(`${ingress}: an error after some messages ends the body with an error line; the status stays 200`, async () => {
      const before = backend.calls.length
      const reader = await openStream(ports[ingress], '/v1/shops/s2/ticks?count=3&endWith=5&mode=hold')
      assert.equal(reader.status, 200)
      assert.deepEqual(await reader.lines(3), [0, 1, 2].map((i) => tickLine(i, 's2')))
      ;(await lastCall(backend, before)).release()
      assert.deepEqual(await reader.ended, { complete: true })
      const lines = reader.received().toString().split('\n')
      assert.equal(lines.length, 5, 'three messages, the error line, and the final newline')
      const requestId = reader.headers['x-request-id']
      assert.deepEqual(JSON.parse(lines[3] as string), { error: { code: 'TG_UPSTREAM_RPC_ERROR', message: 'NOT_FOUND: ended with 5 on purpose', request_id: requestId } })
      assert.deepEqual(logOf(requestId), { status: 200, bytesSent: reader.received().length, errorCode: 'TG_UPSTREAM_RPC_ERROR' })
      await assertBalanced(gateway, [backend.port])
    })

    it(`${ingress}: an error before any message is answered with the mapped HTTP status; an empty stream is an empty 200`, async () => {
      const failed = await request(ports[ingress], { path: '/v1/shops/s3/ticks?endWith=5' })
      assert.equal(failed.status, 404)
      assert.equal(failed.headers['grpc-status'], '5')
      assert.deepEqual(failed.json(), { error: { code: 'TG_UPSTREAM_RPC_ERROR', message: 'NOT_FOUND: ended with 5 on purpose', request_id: failed.headers['x-request-id'] } })
      assert.equal(logOf(failed.headers['x-request-id']).status, 404)
      const empty = await request(ports[ingress], { path: '/v1/shops/s3/ticks?count=0' })
      assert.equal(empty.status, 200)
      assert.equal(empty.headers['content-type'], 'application/x-ndjson')
      assert.equal(empty.headers['x-trailer'], 'done', 'with no message sent yet, the trailers still become headers')
      assert.equal(empty.body.length, 0)
      await assertBalanced(gateway, [backend.port])
    })

    it(`${ingress}: a slow reader holds the backend: it writes what the buffers on the way hold, not the stream`, async () => {
    const padBytes = 4_096
    const lineBytes = tickLine(0, 's4', padBytes).length + 1
    const boundBytes = clientConnectionBufferBytes() + GRPC_SIDE_BYTES
    // Three times what may be held: a gateway that read on regardless would let it all be written.
    const total = Math.ceil(3 * boundBytes / lineBytes)
    const before = backend.calls.length
    const reader = await openStream(ports[ingress], `/slow/s4?count=${total}&padBytes=${padBytes}`, { paused: true })
    const call = await lastCall(backend, before)
    // Wait until the backend stopped writing: 10 looks 100 ms apart see the same count. The
    // route's read_ms (500) passes meanwhile: the idle clock stops while the client is slow.
    let stable = 0
    let last = -1
    for (let i = 0; i < 300 && stable < 10; i++) {
      await sleep(100)
      stable = call.written === last ? stable + 1 : 0
      last = call.written
    }
    assert.equal(stable, 10, 'the backend stopped writing')
    console.log(`${ingress}: the backend wrote ${call.written} of ${total} messages (${lineBytes} bytes as JSON lines) while the client read nothing; bound ${Math.floor(boundBytes / lineBytes)}`)
    assert.ok(call.written * lineBytes <= boundBytes, `written ${call.written} messages stays within ${boundBytes} bytes`)
    reader.read()
    assert.deepEqual(await reader.ended, { complete: true })
    const lines = reader.received().toString().split('\n')
    lines.pop()
    assert.equal(lines.length, total)
    lines.forEach((line, i) => { if (line !== tickLine(i, 's4', padBytes)) assert.fail(`line ${i} differs`) })
    assert.equal(call.cancelled, false)
    assert.deepEqual(logOf(reader.headers['x-request-id']), { status: 200, bytesSent: reader.received().length, errorCode: undefined })
    await assertBalanced(gateway, [backend.port])
  })

  it(`${ingress}: a client abort cancels the backend call and the log phase still runs once`, async () => {
      const before = backend.calls.length
      const reader = await openStream(ports[ingress], '/v1/shops/s5/ticks?count=3&mode=hold')
      const lines = await reader.lines(3)
      const call = await lastCall(backend, before)
      reader.abort()
      await until('the backend saw the cancellation', () => call.cancelled)
      await assertBalanced(gateway, [backend.port])
      const requestId = reader.headers['x-request-id']
      await until('the log phase ran', () => logged.has(String(requestId)))
      assert.deepEqual(logOf(requestId), { status: 200, bytesSent: Buffer.byteLength(lines.join('\n') + '\n'), errorCode: undefined })
    })

    it(`${ingress}: a client that closes without a reset is noticed at the next writes: the call is cancelled`, async () => {
      const before = backend.calls.length
      const reader = await openStream(ports[ingress], '/v1/shops/s8/ticks?count=500&mode=trickle')
      await reader.lines(3)
      const call = await lastCall(backend, before)
      reader.close()
      await until('the backend saw the cancellation', () => call.cancelled)
      assert.ok(call.written < 500)
      await assertBalanced(gateway, [backend.port])
      const requestId = String(reader.headers['x-request-id'])
      await until('the log phase ran', () => logged.has(requestId))
      assert.equal(logOf(requestId).status, 200)
    })

    it(`${ingress}: a client that half-closes after its request still gets the whole stream`, async () => {
      const { head, body, closed } = await halfClosedExchange(ports[ingress], 'GET /v1/shops/s9/ticks?count=60&mode=trickle&padBytes=64 HTTP/1.1\r\nHost: feed.test\r\n\r\n')
      assert.match(head, /^HTTP\/1\.1 200 /)
      const lines = dechunk(body).toString().split('\n')
      assert.equal(lines.pop(), '')
      assert.deepEqual(lines, Array.from({ length: 60 }, (_, i) => tickLine(i, 's9', 64)))
      assert.ok(closed, 'the gateway closes after the last chunk')
      await assertBalanced(gateway, [backend.port])
    })

    it(`${ingress}: read_ms is the longest wait between messages: past it the call is cancelled`, async () => {
      const before = backend.calls.length
      const reader = await openStream(ports[ingress], '/idle/s6?count=2&mode=hold')
      assert.deepEqual(await reader.ended, { complete: true })
      const lines = reader.received().toString().split('\n')
      assert.deepEqual(lines.slice(0, 2), [tickLine(0, 's6'), tickLine(1, 's6')])
      assert.deepEqual(JSON.parse(lines[2] as string).error.code, 'TG_UPSTREAM_TIMEOUT')
      assert.equal(JSON.parse(lines[2] as string).error.message, 'DEADLINE_EXCEEDED: no message within 300 ms')
      const call = await lastCall(backend, before)
      await until('the backend saw the cancellation', () => call.cancelled)
      const silent = await request(ports[ingress], { path: '/idle/s6?count=0&mode=hold' })
      assert.equal(silent.status, 504)
      assert.equal((silent.json() as { error: { code: string } }).error.code, 'TG_UPSTREAM_TIMEOUT')
      await assertBalanced(gateway, [backend.port])
    })

    it(`${ingress}: a google.api.HttpBody stream passes raw bytes, typed by the first message; a late error cuts the connection`, async () => {
      const reader = await openStream(ports[ingress], '/v1/shops/s7/export?count=3')
      assert.equal(reader.status, 200)
      assert.equal(reader.headers['content-type'], 'text/csv')
      assert.deepEqual(await reader.ended, { complete: true })
      assert.equal(reader.received().toString(), 'row,0\nrow,1\nrow,2\n')
      const before = backend.calls.length
      const failing = await openStream(ports[ingress], '/v1/shops/s7/export?count=2&endWith=13&mode=hold')
      await failing.lines(2)
      ;(await lastCall(backend, before)).release()
      assert.deepEqual(await failing.ended, { complete: false })
      assert.equal(failing.received().toString(), 'row,0\nrow,1\n')
      assert.deepEqual(logOf(failing.headers['x-request-id']), { status: 200, bytesSent: failing.received().length, errorCode: 'TG_UPSTREAM_RPC_ERROR' })
      await assertBalanced(gateway, [backend.port])
    })
  }
})

describe('server-streaming retries', () => {
  it('UNAVAILABLE before any message is tried on another target', async () => {
    const deadPort = await freePort()
    const backend = await startStreamBackend()
    const gateway = new InProcessGateway().load({ ...document([deadPort, backend.port]), plugins: [] })
    for (let i = 0; i < 4; i++) {
      const res = await gateway.inject({ url: '/v1/shops/r/ticks?count=2' })
      assert.equal(res.status, 200, res.body.toString())
      assert.equal(res.body.toString(), `${tickLine(0, 'r')}\n${tickLine(1, 'r')}\n`)
    }
    const dead = gateway.targets.get(`127.0.0.1:${deadPort}`)
    assert.ok(dead.failed >= 1, 'the dead target was tried and counted as failed')
    await assertBalanced(gateway, [deadPort, backend.port])
    await gateway.close()
    await backend.close()
  })

  it('each such retry counts in tollgate_upstream_retries_total, like an HTTP retry', async () => {
    const deadPort = await freePort()
    const backend = await startStreamBackend()
    const gateway = new InProcessGateway().load({ ...document([deadPort, backend.port]), plugins: [] })
    const run = await sendPastRefusingTarget(gateway, 'feed', deadPort, () => gateway.inject({ url: '/v1/shops/r/ticks?count=1' }))
    assert.deepEqual(run.statuses, [200, 200, 200, 200])
    assert.ok(run.refused >= 1, 'the refusing target was tried')
    assert.deepEqual(run.counted, { retries: run.refused, budgetExhausted: 0 })
    await gateway.close()
    await backend.close()
  })
})
