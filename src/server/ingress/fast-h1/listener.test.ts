import assert from 'node:assert/strict'
import net from 'node:net'
import { test } from 'node:test'
import type { ListenerConfig } from '../../../config/gateway-config.js'
import type { IngressRequest, ResponseSink } from '../ingress.js'
import type { ListenerLimits, RequestHandler } from '../listener-limits.js'
import { FastH1Listener } from './listener.js'
import { loadParserBinding, type ParserBinding } from './llhttp-binding.js'

const CONFIG: ListenerConfig = { name: 'unit', host: '127.0.0.1', port: 0, protocol: 'http', http2: false, ingress: 'fast-h1', half_close: 'abort' }
const ANSWERING_HALF_CLOSED: ListenerConfig = { ...CONFIG, half_close: 'answer' }
const LIMITS: ListenerLimits = { maxHeaderBytes: 16384, maxHeaderCount: 100, headerReadMs: 10_000, keepAliveIdleMs: 10_000, requestMs: 60_000 }

function binding (): ParserBinding {
  const loaded = loadParserBinding()
  if ('missing' in loaded) assert.fail(loaded.missing)
  return loaded
}

async function withListener (handler: RequestHandler, run: (port: number, listener: FastH1Listener) => Promise<void>, config = CONFIG): Promise<void> {
  const listener = new FastH1Listener(config, LIMITS, handler, undefined, binding())
  const port = await listener.listen()
  try {
    await run(port, listener)
  } finally {
    listener.stopAccepting()
    listener.closeAll()
  }
}

/** Connects, writes `bytes`, and resolves with everything read once `until` matches it. */
function converse (port: number, bytes: string, until: RegExp): Promise<{ text: string, socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(bytes))
    let text = ''
    socket.setEncoding('latin1').on('data', (chunk: string) => {
      text += chunk
      if (until.test(text)) resolve({ text, socket })
    })
    socket.on('error', reject)
  })
}

void test('pipelined responses go out in request order even when a later one finishes first', async () => {
  const sinks: Array<{ request: IngressRequest, sink: ResponseSink }> = []
  let release: () => void = () => {}
  const bothArrived = new Promise<void>((resolve) => { release = resolve })
  await withListener((request, sink) => {
    sinks.push({ request, sink })
    if (sinks.length === 2) release()
  }, async (port) => {
    const exchange = converse(port, 'GET /first HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n', /first-body[\s\S]*second-body/)
    await bothArrived
    const [first, second] = sinks
    second?.sink.writeHead(200, ['content-length', '11'])
    second?.sink.end('second-body')
    first?.sink.writeHead(200, ['content-length', '10'])
    first?.sink.end('first-body')
    const { text, socket } = await exchange
    socket.destroy()
    assert.ok(text.indexOf('first-body') < text.indexOf('second-body'))
    assert.deepEqual(sinks.map((s) => s.request.target), ['/first', '/second'])
  })
})

void test('a request body nobody reads pauses the socket instead of piling up in memory', async () => {
  let body: IngressRequest['body'] = null
  let sinkOf: ResponseSink | undefined
  let arrived: () => void = () => {}
  const headArrived = new Promise<void>((resolve) => { arrived = resolve })
  await withListener((request, sink) => {
    body = request.body
    sinkOf = sink
    arrived()
  }, async (port) => {
    const total = 8 * 1024 * 1024
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write(`POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${total}\r\n\r\n`)
    await headArrived
    // The client offers all 8 MiB at once; the server must stop reading near the body's buffer size.
    socket.write(Buffer.alloc(total, 0x61))
    await new Promise((resolve) => setTimeout(resolve, 300))
    const readable = body as unknown as NodeJS.ReadableStream & { readableLength: number }
    assert.ok(readable.readableLength < 1024 * 1024, `buffered ${readable.readableLength} bytes of an unread body`)
    // Reading resumes the flow: the whole body arrives.
    let received = 0
    await new Promise<void>((resolve) => {
      readable.on('data', (c: Buffer) => { received += c.length })
      readable.on('end', resolve)
    })
    assert.equal(received, total)
    sinkOf?.writeHead(204, [])
    sinkOf?.end()
    socket.destroy()
  })
})

void test('closeIdle closes keep-alive connections that wait, not those with a response owed', async () => {
  let owed: ResponseSink | undefined
  await withListener((request, sink) => {
    if (request.target === '/slow') { owed = sink; return }
    sink.writeHead(200, ['content-length', '2'])
    sink.end('ok')
  }, async (port, listener) => {
    const idle = await converse(port, 'GET /fast HTTP/1.1\r\nHost: a\r\n\r\n', /ok$/)
    const busy = converse(port, 'GET /slow HTTP/1.1\r\nHost: a\r\n\r\n', /late$/)
    while (owed === undefined) await new Promise((resolve) => setImmediate(resolve))
    const idleClosed = new Promise((resolve) => idle.socket.once('close', resolve))
    listener.closeIdle()
    await idleClosed
    owed.writeHead(200, ['content-length', '4'])
    owed.end('late')
    const { text, socket } = await busy
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
    socket.destroy()
  })
})

void test('a client that leaves while a connection-closing response is still being written aborts it', async () => {
  let aborted: () => void = () => {}
  const abortSeen = new Promise<void>((resolve) => { aborted = resolve })
  let timer: NodeJS.Timeout | undefined
  await withListener((_request, sink) => {
    sink.onAbort(() => {
      clearInterval(timer)
      aborted()
    })
    // No length and connection: close: the body is still owed when the client goes.
    sink.writeHead(200, ['connection', 'close'])
    sink.write(Buffer.from('first part'))
    // A FIN alone may be a half-close: the client is found gone when a write fails.
    timer = setInterval(() => sink.write(Buffer.from('more')), 10)
  }, async (port) => {
    const { socket } = await converse(port, 'GET /stream HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', /first part/)
    // Closes both ways: what the server writes next is refused with a reset.
    socket.destroy()
    await abortSeen
  }, ANSWERING_HALF_CLOSED)
})

void test('half_close: abort (the default): a FIN while an answer is owed gives the answer up', async () => {
  let aborted: () => void = () => {}
  const abortSeen = new Promise<void>((resolve) => { aborted = resolve })
  await withListener((_request, sink) => {
    // The answer never comes by itself: only the client's FIN can end this request.
    sink.onAbort(() => aborted())
  }, async (port) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\n')
      socket.end()
    })
    const closed = new Promise<string>((resolve) => {
      let text = ''
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('latin1') })
      socket.on('close', () => resolve(text))
    })
    await abortSeen
    assert.equal(await closed, '', 'nothing is answered, the connection is closed')
  })
})

void test('a client that half-closes while its answer is streamed gets all of it, then the connection closes', async () => {
  let aborts = 0
  await withListener((_request, sink) => {
    sink.onAbort(() => { aborts++ })
    sink.writeHead(200, [])
    let sent = 0
    const timer = setInterval(() => {
      if (++sent < 5) {
        sink.write(Buffer.from(`part ${sent};`))
        return
      }
      clearInterval(timer)
      sink.end('end')
    }, 20)
  }, async (port) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n')
      socket.end()
    })
    let text = ''
    socket.setEncoding('latin1').on('data', (chunk: string) => { text += chunk })
    await new Promise((resolve) => socket.once('close', resolve))
    assert.match(text, /^HTTP\/1\.1 200 OK\r\n/)
    assert.match(text, /part 1;\r\n[\s\S]*part 4;\r\n3\r\nend\r\n0\r\n\r\n$/, 'every chunk, then the last one')
    assert.equal(aborts, 0)
  }, ANSWERING_HALF_CLOSED)
})

void test('a kept connection says keep-alive with the idle time; a connection field the gateway gives is the only one, and close is obeyed', async () => {
  await withListener((request, sink) => {
    sink.writeHead(200, request.target === '/last' ? ['content-length', '4', 'connection', 'close'] : ['content-length', '4'])
    sink.end('done')
  }, async (port) => {
    const { text, socket } = await converse(port, 'GET /kept HTTP/1.1\r\nHost: a\r\n\r\nGET /last HTTP/1.1\r\nHost: a\r\n\r\n', /done[\s\S]*done/)
    const closed = new Promise((resolve) => socket.once('close', resolve))
    const [kept, last] = text.split('done')
    assert.match(kept ?? '', /\r\nconnection: keep-alive\r\nkeep-alive: timeout=10\r\n/, 'LIMITS.keepAliveIdleMs in seconds')
    assert.equal([...(last ?? '').matchAll(/\r\nconnection:/gi)].length, 1)
    assert.doesNotMatch(last ?? '', /keep-alive/)
    await closed
  })
})

void test('a head with more fields than llhttp hands over at once arrives whole, split anywhere', async () => {
  let seen: IngressRequest | undefined
  await withListener((request, sink) => {
    seen = request
    sink.writeHead(200, ['content-length', '0'])
    sink.end()
  }, async (port) => {
    const fields = Array.from({ length: 70 }, (_, i) => `X-Field-${i}: value-${i}\r\n`).join('')
    const target = `/long/${'t'.repeat(3000)}?q=1`
    const head = `GET ${target} HTTP/1.1\r\nHost: a\r\n${fields}\r\n`
    const socket = net.connect(port, '127.0.0.1')
    socket.on('error', () => {})
    const answered = new Promise<void>((resolve) => socket.once('data', () => resolve()))
    // Cut inside the target and inside the fields, so both reach the parser in pieces.
    for (const piece of [head.slice(0, 1000), head.slice(1000, 3500), head.slice(3500)]) {
      socket.write(piece)
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await answered
    socket.destroy()
    assert.equal(seen?.target, target)
    assert.equal(seen?.rawHeaders.length, 2 * 71)
    assert.deepEqual(seen?.rawHeaders.slice(-2), ['X-Field-69', 'value-69'])
  })
})

void test('a response field with CR or LF is refused as node:http refuses it, and nothing of it is written', async () => {
  const codes: string[] = []
  await withListener((_request, sink) => {
    for (const headers of [['x-split', 'a\r\nset-cookie: injected=1'], ['bad name', 'v'], ['x-nul', 'a\u0000b']]) {
      try {
        sink.writeHead(200, headers)
      } catch (error) {
        codes.push((error as NodeJS.ErrnoException).code ?? '')
      }
    }
    assert.equal(sink.headersSent, false)
    sink.writeHead(502, ['content-length', '0'])
    sink.end()
  }, async (port) => {
    const { text, socket } = await converse(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', /\r\n\r\n/)
    socket.destroy()
    assert.match(text, /^HTTP\/1\.1 502 /)
    assert.doesNotMatch(text, /injected|x-split|x-nul/)
    assert.deepEqual(codes, ['ERR_INVALID_CHAR', 'ERR_INVALID_CHAR', 'ERR_INVALID_CHAR'])
  })
})
