// One suite for every UpstreamTransport (STYLE.md, Tests): each case runs against the own
// HTTP/1.1 client and the undici reference; a case a transport cannot meet is skipped with the reason.
import assert from 'node:assert/strict'
import { createServer, type AddressInfo } from 'node:net'
import { Readable } from 'node:stream'
import { describe, test } from 'node:test'
import { createH1Transport } from './h1-client.js'
import { delay, header, type TestUpstream, makeRequest, onRequestHeads, readAll, send, startHttpUpstream, startRawUpstream } from './test-upstreams.js'
import type { TransportOptions, UpstreamCall, UpstreamTransport } from './transport.js'
import { createUndiciTransport } from './undici.js'

interface Implementation {
  readonly name: string
  readonly create: (options: TransportOptions) => UpstreamTransport
  /** Case name → why this transport cannot meet it. */
  readonly skips: Record<string, string>
}

const IMPLEMENTATIONS: Implementation[] = [
  { name: 'h1-client', create: createH1Transport, skips: {} },
  {
    name: 'undici',
    create: createUndiciTransport,
    skips: {
      'skips an unsolicited 100 Continue': 'undici destroys the connection on a 100 Continue the request did not ask for (SocketError "bad response")',
      'send timeout when the upstream stops reading': 'undici has no send timeout'
    }
  }
]

const OPTIONS: TransportOptions = { protocol: 'http', maxIdlePerTarget: 4, idleTimeoutMs: 5000 }

for (const impl of IMPLEMENTATIONS) {
  describe(`UpstreamTransport conformance: ${impl.name}`, () => {
    const it = (name: string, fn: (transport: UpstreamTransport, use: (up: TestUpstream) => TestUpstream) => Promise<void>): void => {
      const skip = impl.skips[name]
      test(name, skip !== undefined ? { skip } : {}, async () => {
        const transport = impl.create(OPTIONS)
        const upstreams: TestUpstream[] = []
        try {
          await fn(transport, (up) => { upstreams.push(up); return up })
        } finally {
          for (const up of upstreams) await up.close()
          await transport.close()
        }
      })
    }

    it('GET returns status, lower-case headers and body', async (transport, use) => {
      const up = use(await startHttpUpstream((_req, res) => { res.setHeader('X-Thing', 'a'); res.end('hello') }))
      const out = await send(transport, up.target, makeRequest(up.target))
      assert.equal(out.status, 200)
      assert.equal(header(out.headers, 'x-thing'), 'a')
      assert.equal(out.body.toString(), 'hello')
      assert.ok(out.ended)
      assert.equal(out.extraEndings, 0)
    })

    it('POST with a Buffer body sends Content-Length', async (transport, use) => {
      const up = use(await startHttpUpstream(async (req, res) => {
        const body = await readAll(req)
        res.end(`${req.headers['content-length']}|${req.headers['transfer-encoding']}|${body.toString()}`)
      }))
      const out = await send(transport, up.target, makeRequest(up.target, { method: 'POST', body: Buffer.from('abc'), idempotent: false }))
      assert.equal(out.body.toString(), '3|undefined|abc')
    })

    it('POST with a large Buffer body arrives whole', async (transport, use) => {
      const up = use(await startHttpUpstream(async (req, res) => { res.end(String((await readAll(req)).length)) }))
      const body = Buffer.alloc(3 * 1024 * 1024 + 7, 'x')
      const out = await send(transport, up.target, makeRequest(up.target, { method: 'PUT', body }))
      assert.equal(out.body.toString(), String(body.length))
    })

    it('streamed body with bodyLength is sent with Content-Length', async (transport, use) => {
      const up = use(await startHttpUpstream(async (req, res) => {
        const body = await readAll(req)
        res.end(`${req.headers['content-length']}|${req.headers['transfer-encoding']}|${body.toString()}`)
      }))
      const out = await send(transport, up.target, makeRequest(up.target, {
        method: 'POST', body: Readable.from([Buffer.from('ab'), Buffer.from('cd')]), bodyLength: 4, idempotent: false
      }))
      assert.equal(out.body.toString(), '4|undefined|abcd')
    })

    it('streamed body without bodyLength is sent chunked', async (transport, use) => {
      const up = use(await startHttpUpstream(async (req, res) => {
        const body = await readAll(req)
        res.end(`${req.headers['content-length']}|${req.headers['transfer-encoding']}|${body.toString()}`)
      }))
      const out = await send(transport, up.target, makeRequest(up.target, {
        method: 'POST', body: Readable.from([Buffer.from('ab'), Buffer.from('cde')]), idempotent: false
      }))
      assert.equal(out.body.toString(), 'undefined|chunked|abcde')
    })

    it('streamed body shorter than bodyLength fails the attempt', async (transport, use) => {
      const up = use(await startHttpUpstream((req, res) => { readAll(req).then(() => res.end('x'), () => {}) }))
      const out = await send(transport, up.target, makeRequest(up.target, {
        method: 'POST', body: Readable.from([Buffer.from('ab')]), bodyLength: 5, idempotent: false
      }))
      assert.equal(out.error?.kind, 'aborted')
      assert.equal(out.extraEndings, 0)
    })

    it('large bodies both ways with back-pressure', async (transport, use) => {
      const size = 4 * 1024 * 1024
      const up = use(await startHttpUpstream((req, res) => { req.pipe(res) }))
      let produced = 0
      const source = new Readable({
        highWaterMark: 16 * 1024,
        read () {
          if (produced >= size) { this.push(null); return }
          const chunk = Buffer.alloc(Math.min(64 * 1024, size - produced), produced / 65536 & 255)
          produced += chunk.length
          this.push(chunk)
        }
      })
      const out = await send(transport, up.target, makeRequest(up.target, { method: 'POST', body: source, bodyLength: size, idempotent: false }), { pauseMs: 1 })
      assert.equal(out.error, undefined)
      assert.equal(out.body.length, size)
      assert.equal(out.body[size - 1], (size - 1) / 65536 & 255)
    })

    it('keeps the connection alive across sequential requests', async (transport, use) => {
      const up = use(await startHttpUpstream((_req, res) => { res.end('ok') }))
      for (let i = 0; i < 5; i++) {
        const out = await send(transport, up.target, makeRequest(up.target))
        assert.equal(out.body.toString(), 'ok')
      }
      assert.equal(up.connections(), 1)
    })

    it('HEAD, 204 and 304 responses have no body', async (transport, use) => {
      const up = use(await startHttpUpstream((req, res) => {
        if (req.url === '/204') { res.statusCode = 204; res.end(); return }
        if (req.url === '/304') { res.statusCode = 304; res.end(); return }
        res.setHeader('content-length', '100')
        res.end()
      }))
      const head = await send(transport, up.target, makeRequest(up.target, { method: 'HEAD' }))
      assert.equal(head.status, 200)
      assert.equal(header(head.headers, 'content-length'), '100')
      assert.equal(head.body.length, 0)
      assert.ok(head.ended)
      for (const path of ['/204', '/304']) {
        const out = await send(transport, up.target, makeRequest(up.target, { path }))
        assert.equal(out.status, Number(path.slice(1)))
        assert.equal(out.body.length, 0)
        assert.ok(out.ended)
      }
    })

    it('HEAD, 204 and 304 responses keep the connection', async (transport, use) => {
      const up = use(await startHttpUpstream((req, res) => {
        res.statusCode = req.url === '/' ? 200 : Number(req.url?.slice(1))
        if (res.statusCode === 200) res.setHeader('content-length', '100')
        res.end()
      }))
      await send(transport, up.target, makeRequest(up.target, { method: 'HEAD' }))
      await send(transport, up.target, makeRequest(up.target, { path: '/204' }))
      await send(transport, up.target, makeRequest(up.target, { path: '/304' }))
      await send(transport, up.target, makeRequest(up.target, { method: 'HEAD' }))
      assert.equal(up.connections(), 1)
    })

    it('reads a close-delimited body and does not reuse the connection', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => { socket.end('HTTP/1.1 200 OK\r\nx: y\r\n\r\nuntil the end') })
      }))
      for (let i = 0; i < 2; i++) {
        const out = await send(transport, up.target, makeRequest(up.target))
        assert.equal(out.body.toString(), 'until the end')
        assert.ok(out.ended)
      }
      assert.equal(up.connections(), 2)
    })

    it('decodes a chunked response with extensions and trailers', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n')
          setTimeout(() => { socket.write('A\r\n0123456789\r\n0\r\nx-trailer: t\r\n\r\n') }, 10)
        })
      }))
      for (let i = 0; i < 2; i++) {
        const out = await send(transport, up.target, makeRequest(up.target))
        assert.equal(out.body.toString(), 'abc0123456789')
      }
      assert.equal(up.connections(), 1)
    })

    it('skips a 103 Early Hints', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 103 Early Hints\r\nlink: </a.css>\r\n\r\nHTTP/1.1 201 Created\r\ncontent-length: 2\r\n\r\nok')
        })
      }))
      const out = await send(transport, up.target, makeRequest(up.target))
      assert.equal(out.status, 201)
      assert.equal(out.body.toString(), 'ok')
    })

    it('skips an unsolicited 100 Continue', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 100 Continue\r\n\r\n')
          setTimeout(() => { socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok') }, 10)
        })
      }))
      const out = await send(transport, up.target, makeRequest(up.target))
      assert.equal(out.status, 200)
      assert.equal(out.body.toString(), 'ok')
    })

    it('connect refused', async (transport) => {
      const server = createServer()
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      const port = (server.address() as AddressInfo).port
      await new Promise((resolve) => server.close(resolve))
      const target = { id: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1 }
      const out = await send(transport, target, makeRequest(target))
      assert.equal(out.error?.kind, 'connect-refused')
      assert.equal(out.error?.afterHead, false)
    })

    it('read timeout waiting for the head', async (transport, use) => {
      const up = use(await startRawUpstream(() => {}))
      const out = await send(transport, up.target, makeRequest(up.target, { timeouts: { connectMs: 1000, sendMs: 1000, readMs: 100 } }))
      assert.equal(out.error?.kind, 'read-timeout')
      assert.equal(out.error?.afterHead, false)
    })

    it('read timeout between body chunks', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => { socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc') })
      }))
      const out = await send(transport, up.target, makeRequest(up.target, { timeouts: { connectMs: 1000, sendMs: 1000, readMs: 100 } }))
      assert.equal(out.status, 200)
      assert.equal(out.error?.kind, 'read-timeout')
      assert.equal(out.error?.afterHead, true)
    })

    it('reset mid-body reports reset after the head', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\n0123456789')
          setTimeout(() => { socket.resetAndDestroy() }, 20)
        })
      }))
      const out = await send(transport, up.target, makeRequest(up.target))
      assert.equal(out.error?.kind, 'reset')
      assert.equal(out.error?.afterHead, true)
      assert.equal(out.body.toString(), '0123456789')
    })

    it('replays a GET once when a reused keep-alive socket turns out stale', async (transport, use) => {
      const up = use(await startRawUpstream((socket, index) => {
        onRequestHeads(socket, (_head, count) => {
          if (index === 0 && count === 1) { socket.destroy(); return }
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
        })
      }))
      assert.equal((await send(transport, up.target, makeRequest(up.target))).body.toString(), 'ok')
      const out = await send(transport, up.target, makeRequest(up.target))
      assert.equal(out.error, undefined)
      assert.equal(out.body.toString(), 'ok')
      assert.equal(up.connections(), 2)
    })

    it('does not replay a streamed POST on a stale keep-alive socket', async (transport, use) => {
      const up = use(await startRawUpstream((socket, index) => {
        onRequestHeads(socket, (_head, count) => {
          if (index === 0 && count === 1) { socket.destroy(); return }
          socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok')
        })
      }))
      assert.equal((await send(transport, up.target, makeRequest(up.target))).body.toString(), 'ok')
      const body = new Readable({ read () {} })
      body.push('part')
      const out = await send(transport, up.target, makeRequest(up.target, { method: 'POST', body, idempotent: true }))
      assert.equal(out.error?.kind, 'reset')
      assert.equal(up.connections(), 1)
    })

    it('send timeout when the upstream stops reading', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => { socket.pause() }))
      // Far more than loopback socket buffers hold, so the write stalls.
      const body = Buffer.alloc(64 * 1024 * 1024)
      const out = await send(transport, up.target, makeRequest(up.target, {
        method: 'POST', body, idempotent: false, timeouts: { connectMs: 1000, sendMs: 100, readMs: 5000 }
      }))
      assert.equal(out.error?.kind, 'send-timeout')
      assert.equal(out.error?.afterHead, false)
    })

    it('abort() stops the attempt, closes the socket and calls nothing after', async (transport, use) => {
      let closed = false
      const up = use(await startRawUpstream((socket) => {
        socket.on('close', () => { closed = true })
        onRequestHeads(socket, () => { socket.write('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\nabc') })
      }))
      const calls: string[] = []
      const call = transport.request(up.target, makeRequest(up.target), {
        onHead: () => { calls.push('head') },
        onData: () => { calls.push('data'); return true },
        onEnd: () => { calls.push('end') },
        onError: () => { calls.push('error') }
      })
      await delay(100)
      call.abort()
      call.abort()
      await delay(100)
      assert.deepEqual(calls, ['head', 'data'])
      assert.ok(closed)
    })

    it('abort() inside onHead or onData stops every later callback', async (transport, use) => {
      const up = use(await startRawUpstream((socket) => {
        onRequestHeads(socket, () => {
          socket.write('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n1\r\na\r\n1\r\nb\r\n0\r\n\r\n')
        })
      }))
      for (const where of ['head', 'data']) {
        const calls: string[] = []
        const holder: { call?: UpstreamCall } = {}
        holder.call = transport.request(up.target, makeRequest(up.target), {
          onHead: () => { calls.push('head'); if (where === 'head') holder.call?.abort() },
          onData: () => { calls.push('data'); if (where === 'data') holder.call?.abort(); return true },
          onEnd: () => { calls.push('end') },
          onError: () => { calls.push('error') }
        })
        await delay(100)
        assert.deepEqual(calls, where === 'head' ? ['head'] : ['head', 'data'])
      }
    })

    it('connect timeout when the TLS handshake never completes', async (_transport, use) => {
      const up = use(await startRawUpstream(() => {}))
      const https = impl.create({ ...OPTIONS, protocol: 'https' })
      try {
        const out = await send(https, up.target, makeRequest(up.target, { timeouts: { connectMs: 100, sendMs: 1000, readMs: 1000 } }))
        assert.equal(out.error?.kind, 'connect-timeout')
      } finally {
        await https.close()
      }
    })
  })
}
