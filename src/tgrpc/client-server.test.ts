import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server, type Socket } from 'node:net'
import { TgRpcServer, type TgRpcServerCall } from './server.js'
import { jsonHandler, jsonError } from './json-handler.js'
import { TgRpcTargetClient, type TargetClientOptions } from './target-client.js'
import type { TgRpcCall, TgRpcReply } from './client-connection.js'
import type { TgRpcCallError } from './errors.js'
import { TgRpcStatus } from './status.js'
import { encodeFrame } from './frame.js'
import { FrameType } from './protocol.js'

function clientOptions (port: number, extra: Partial<TargetClientOptions> = {}): TargetClientOptions {
  return { host: '127.0.0.1', port, connectTimeoutMs: 1000, heartbeatMs: 5000, maxBodyBytes: 1 << 20, connections: 1, reconnectDelayMs: 200, maxReconnectDelayMs: 1000, ...extra }
}

interface Outcome { error: TgRpcCallError | undefined, reply: TgRpcReply | undefined }

function call (client: TgRpcTargetClient, method: string, body: string | Buffer, timeoutMs = 2000): Promise<Outcome> & { cancel: () => void } {
  let cancel = (): void => {}
  const promise = new Promise<Outcome>((resolve) => {
    let calls = 0
    const request: TgRpcCall = { service: 'test', method, body: Buffer.from(body), timeoutMs }
    cancel = client.call(request, (error, reply) => {
      calls++
      assert.equal(calls, 1, 'the callback runs exactly once')
      resolve({ error, reply })
    })
  })
  return Object.assign(promise, { cancel: () => cancel() })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

describe('TG-RPC client and server over real sockets', () => {
  const server = new TgRpcServer({ maxBodyBytes: 64 * 1024, maxConcurrent: 16_384 })
  let port = 0
  const aborted: string[] = []
  before(async () => {
    server.handle('test', 'echo', (c) => ({ body: c.body, headers: [['x-seen-deadline', String(c.deadlineMs)]] }))
    server.handle('test', 'later', async (c) => { await sleep(Math.floor(Math.random() * 5)); return { body: c.body } })
    server.handle('test', 'json', jsonHandler((request) => {
      const order = request as { id: bigint, path: string }
      if (order.path === 'missing') return jsonError(TgRpcStatus.NOT_FOUND, 'no such order')
      return { id: order.id + 1n, path: order.path }
    }))
    server.handle('test', 'never', (c) => new Promise((resolve) => {
      c.signal.addEventListener('abort', () => { aborted.push(c.body.toString()); resolve({}) })
    }))
    server.handle('test', 'throws', () => { throw new Error('handler broke') })
    port = await server.listen(0)
  })
  after(async () => { await server.close(100) })

  it('carries the body bytes both ways unchanged, with the deadline header', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    const body = '{"n":12345678901234567890,"url":"http://a/b","s":"\\u00e9"}'
    const { error, reply } = await call(client, 'echo', body, 1500)
    assert.equal(error, undefined)
    assert.equal(reply?.status, TgRpcStatus.OK)
    assert.equal(reply?.body.toString(), body)
    assert.equal(reply?.headers.get('x-seen-deadline'), '1500')
    client.close()
  })

  it('JSON handlers keep 64-bit integers exact and answer errors with a status', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    const ok = await call(client, 'json', '{"id":9007199254740993,"path":"a/b"}')
    assert.equal(ok.reply?.body.toString(), '{"id":9007199254740994,"path":"a/b"}')
    assert.equal(ok.reply?.headers.get('content-type'), 'application/json')
    const missing = await call(client, 'json', '{"id":1,"path":"missing"}')
    assert.equal(missing.reply?.status, TgRpcStatus.NOT_FOUND)
    assert.equal(missing.reply?.headers.get('message'), 'no such order')
    const malformed = await call(client, 'json', '{"id":')
    assert.equal(malformed.reply?.status, TgRpcStatus.INVALID_ARGUMENT)
    client.close()
  })

  it('answers 10,000 concurrent calls on one connection, each with its own body', async () => {
    const client = new TgRpcTargetClient(clientOptions(port, { connections: 1 }))
    await call(client, 'echo', 'warm-up') // the server's SETTINGS raise the limit from the default 1024
    const calls = Array.from({ length: 10_000 }, (_, i) => call(client, 'later', `call-${i}`, 30_000))
    assert.equal(client.inFlight, 10_000)
    const outcomes = await Promise.all(calls)
    outcomes.forEach(({ error, reply }, i) => {
      assert.equal(error, undefined)
      assert.equal(reply?.body.toString(), `call-${i}`)
    })
    assert.equal(client.inFlight, 0)
    client.close()
  })

  it('ends a call at its deadline, tells the server, and counts it out of flight', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    const { error } = await call(client, 'never', 'deadline-call', 100)
    assert.equal(error?.status, TgRpcStatus.DEADLINE_EXCEEDED)
    assert.equal(client.inFlight, 0)
    for (let i = 0; i < 50 && !aborted.includes('deadline-call'); i++) await sleep(20)
    assert.ok(aborted.includes('deadline-call'), 'the server saw the call cancelled')
    client.close()
  })

  it('cancels a call on request (the merchant went away)', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    const pending = call(client, 'never', 'cancelled-call', 5000)
    await sleep(50)
    pending.cancel()
    const { error } = await pending
    assert.equal(error?.status, TgRpcStatus.CANCELLED)
    for (let i = 0; i < 50 && !aborted.includes('cancelled-call'); i++) await sleep(20)
    assert.ok(aborted.includes('cancelled-call'))
    client.close()
  })

  it('a handler that keeps its call after answering still reads every field; a later close does not abort it', async () => {
    const own = new TgRpcServer()
    let kept: TgRpcServerCall | undefined
    own.handle('test', 'kept', async (c) => { kept = c; await sleep(1); return { body: 'done' } })
    const client = new TgRpcTargetClient(clientOptions(await own.listen(0)))
    const { reply } = await call(client, 'kept', 'kept-body', 1500)
    assert.equal(reply?.body.toString(), 'done')
    client.close()
    for (let i = 0; i < 50 && own.connections > 0; i++) await sleep(20)
    assert.equal(own.connections, 0, 'the server saw the connection close')
    assert.deepEqual([kept?.service, kept?.method, kept?.body.toString(), kept?.deadlineMs, kept?.headers.get('method')], ['test', 'kept', 'kept-body', 1500, 'kept'])
    assert.equal(kept?.signal.aborted, false, 'a finished call is not aborted by its connection closing')
    await own.close(100)
  })

  it('aborts the calls still running when their connection closes', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    const pending = call(client, 'never', 'connection-closed-call', 5000)
    await sleep(50)
    client.close()
    await pending
    for (let i = 0; i < 50 && !aborted.includes('connection-closed-call'); i++) await sleep(20)
    assert.ok(aborted.includes('connection-closed-call'), 'the handler saw its signal abort and could still read its body')
  })

  it('answers UNIMPLEMENTED for an unknown method and INTERNAL when a handler throws', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    assert.equal((await call(client, 'nope', '')).reply?.status, TgRpcStatus.UNIMPLEMENTED)
    const thrown = await call(client, 'throws', '')
    assert.equal(thrown.reply?.status, TgRpcStatus.INTERNAL)
    assert.equal(thrown.reply?.headers.get('message'), 'handler broke')
    client.close()
  })

  it('refuses a body over the server announced limit before sending it', async () => {
    const client = new TgRpcTargetClient(clientOptions(port))
    await call(client, 'echo', 'warm-up') // receives SETTINGS
    const { error } = await call(client, 'echo', Buffer.alloc(65 * 1024))
    assert.equal(error?.status, TgRpcStatus.RESOURCE_EXHAUSTED)
    assert.equal(error?.maybeSent, false)
    client.close()
  })

  it('closes a connection that sends garbage or an oversized frame, and keeps serving others', async () => {
    for (const bytes of [Buffer.from('GET / HTTP/1.1\r\n\r\n'), Buffer.concat(encodeFrame(FrameType.REQUEST, 0, 1, [], undefined)).fill(0xff, 20, 24)]) {
      const socket = connect(port, '127.0.0.1')
      const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()))
      socket.on('error', () => {})
      socket.resume() // read the SETTINGS frame, or the close would wait behind it
      socket.write(bytes)
      await closed
    }
    const client = new TgRpcTargetClient(clientOptions(port))
    assert.equal((await call(client, 'echo', 'still-up')).reply?.body.toString(), 'still-up')
    client.close()
  })
})

describe('TG-RPC client failures', () => {
  it('fails calls to an unreachable target as never sent, then fails fast during the reconnect backoff', async () => {
    const probe = createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const deadPort = (probe.address() as { port: number }).port
    await new Promise<void>((resolve) => probe.close(() => resolve()))
    const client = new TgRpcTargetClient(clientOptions(deadPort, { reconnectDelayMs: 10_000, maxReconnectDelayMs: 10_000 }))
    const first = await call(client, 'echo', 'x')
    assert.equal(first.error?.status, TgRpcStatus.UNAVAILABLE)
    assert.equal(first.error?.maybeSent, false)
    const second = await call(client, 'echo', 'x')
    assert.equal(second.error?.status, TgRpcStatus.UNAVAILABLE)
    assert.match(second.error?.message ?? '', /backoff/)
    assert.equal(client.inFlight, 0)
    client.close()
  })

  it('ends calls in flight with UNAVAILABLE (maybe sent) when the backend dies mid-call', async () => {
    const sockets: Socket[] = []
    const backend = createServer((socket) => { sockets.push(socket); socket.on('error', () => {}) })
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
    const client = new TgRpcTargetClient(clientOptions((backend.address() as { port: number }).port))
    const pending = Array.from({ length: 20 }, () => call(client, 'echo', 'x'))
    while (sockets.length === 0) await sleep(10)
    await sleep(20)
    for (const socket of sockets) socket.destroy()
    for (const { error } of await Promise.all(pending)) {
      assert.equal(error?.status, TgRpcStatus.UNAVAILABLE)
      assert.equal(error?.maybeSent, true)
    }
    assert.equal(client.inFlight, 0)
    client.close()
    await new Promise<void>((resolve) => backend.close(() => resolve()))
  })

  it('detects a silent server by heartbeats and fails its calls', async () => {
    const backend: Server = createServer((socket) => { socket.on('error', () => {}); socket.resume() })
    await new Promise<void>((resolve) => backend.listen(0, '127.0.0.1', resolve))
    const client = new TgRpcTargetClient(clientOptions((backend.address() as { port: number }).port, { heartbeatMs: 100 }))
    const { error } = await call(client, 'echo', 'x', 60_000)
    assert.equal(error?.status, TgRpcStatus.UNAVAILABLE)
    assert.match(error?.message ?? '', /heartbeat/)
    client.close()
    backend.close()
  })

  it('finishes calls in flight after GOAWAY and sends new calls elsewhere', async () => {
    const server = new TgRpcServer()
    let release: (() => void) | undefined
    server.handle('test', 'held', () => new Promise((resolve) => { release = () => resolve({ body: 'released' }) }))
    const port = await server.listen(0)
    const client = new TgRpcTargetClient(clientOptions(port))
    const held = call(client, 'held', '')
    while (release === undefined) await sleep(5)
    const closing = server.close(5000)
    await sleep(50)
    const late = await call(client, 'held', '')
    assert.equal(late.error?.status, TgRpcStatus.UNAVAILABLE)
    assert.equal(late.error?.maybeSent, false)
    release()
    assert.equal((await held).reply?.body.toString(), 'released')
    await closing
    client.close()
  })
})
