// Behaviour of the own HTTP/1.1 client beyond the shared conformance suite: pool limits, idle
// handling, the connection cap, close(), request checks and the exact bytes it writes.
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createH1Transport, type H1TransportOptions } from './h1-client.js'
import { delay, makeRequest, waitFor, onRequestHeads, send, startHttpUpstream, startRawUpstream, type TestUpstream } from './test-upstreams.js'
import type { UpstreamCall, UpstreamTransport } from './transport.js'

const OPTIONS: H1TransportOptions = { protocol: 'http', maxIdlePerTarget: 4, idleTimeoutMs: 5000 }

async function withSetup (options: H1TransportOptions, up: TestUpstream, fn: (t: UpstreamTransport) => Promise<void>): Promise<void> {
  const transport = createH1Transport(options)
  try {
    await fn(transport)
  } finally {
    await transport.close()
    await up.close()
  }
}

describe('h1-client', () => {
  test('writes a minimal head: no hop-by-hop fields it was not given, its own framing', async () => {
    const heads: string[] = []
    const up = await startRawUpstream((socket) => {
      onRequestHeads(socket, (head) => { heads.push(head); socket.write('HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n') })
    })
    await withSetup(OPTIONS, up, async (t) => {
      await send(t, up.target, makeRequest(up.target, { headers: ['host', 'h', 'x-a', 'b', 'content-length', '99'] }))
      await send(t, up.target, makeRequest(up.target, { method: 'POST', idempotent: false }))
      await send(t, up.target, makeRequest(up.target, { method: 'PUT', body: Buffer.from('xy'), headers: ['host', 'h', 'transfer-encoding', 'chunked'] }))
    })
    assert.deepEqual(heads, [
      'GET / HTTP/1.1\r\nhost: h\r\nx-a: b\r\n\r\n',
      `POST / HTTP/1.1\r\nhost: ${up.target.id}\r\ncontent-length: 0\r\n\r\n`,
      'PUT / HTTP/1.1\r\nhost: h\r\ncontent-length: 2\r\n\r\n'
    ])
  })

  test('keeps at most maxIdlePerTarget idle connections', async () => {
    const up = await startHttpUpstream((_req, res) => { setTimeout(() => res.end('ok'), 20) })
    await withSetup({ ...OPTIONS, maxIdlePerTarget: 1 }, up, async (t) => {
      await Promise.all([0, 1, 2].map(() => send(t, up.target, makeRequest(up.target))))
      assert.equal(up.connections(), 3)
      assert.ok(await waitFor(() => up.sockets.filter((s) => !s.destroyed).length === 1))
    })
  })

  test('closes idle connections after idleTimeoutMs', async () => {
    const up = await startHttpUpstream((_req, res) => { res.end('ok') })
    await withSetup({ ...OPTIONS, idleTimeoutMs: 50 }, up, async (t) => {
      await send(t, up.target, makeRequest(up.target))
      assert.ok(await waitFor(() => up.sockets[0]?.destroyed === true))
      await send(t, up.target, makeRequest(up.target))
      assert.equal(up.connections(), 2)
    })
  })

  test('drops an idle connection the server closed and uses a new one', async () => {
    const up = await startRawUpstream((socket) => {
      onRequestHeads(socket, () => { socket.write('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok', () => { setTimeout(() => socket.end(), 10) }) })
    })
    await withSetup(OPTIONS, up, async (t) => {
      await send(t, up.target, makeRequest(up.target))
      await delay(50)
      // Not idempotent: it must not need the stale-socket replay to succeed.
      const out = await send(t, up.target, makeRequest(up.target, { method: 'POST', idempotent: false }))
      assert.equal(out.body.toString(), 'ok')
      assert.equal(up.connections(), 2)
    })
  })

  test('connection: close in the response means a new connection next time', async () => {
    const up = await startRawUpstream((socket) => {
      onRequestHeads(socket, () => { socket.write('HTTP/1.1 200 OK\r\nconnection: close\r\ncontent-length: 2\r\n\r\nok') })
    })
    await withSetup(OPTIONS, up, async (t) => {
      await send(t, up.target, makeRequest(up.target))
      await send(t, up.target, makeRequest(up.target))
      assert.equal(up.connections(), 2)
    })
  })

  test('maxConnectionsPerTarget queues requests on the open connections', async () => {
    const up = await startHttpUpstream((_req, res) => { setTimeout(() => res.end('ok'), 10) })
    await withSetup({ ...OPTIONS, maxConnectionsPerTarget: 2 }, up, async (t) => {
      const outs = await Promise.all([0, 1, 2, 3, 4, 5].map(() => send(t, up.target, makeRequest(up.target))))
      assert.ok(outs.every((o) => o.body.toString() === 'ok'))
      assert.equal(up.connections(), 2)
    })
  })

  test('a queued request fails with connect-timeout when no connection frees up', async () => {
    const up = await startRawUpstream(() => {})
    await withSetup({ ...OPTIONS, maxConnectionsPerTarget: 1 }, up, async (t) => {
      const timeouts = { connectMs: 50, sendMs: 1000, readMs: 1000 }
      let first: UpstreamCall | undefined
      void send(t, up.target, makeRequest(up.target, { timeouts }), { onCall: (c) => { first = c } })
      const second = await send(t, up.target, makeRequest(up.target, { timeouts }))
      assert.equal(second.error?.kind, 'connect-timeout')
      first?.abort()
    })
  })

  test('close() waits for in-flight requests and refuses new ones', async () => {
    const up = await startHttpUpstream((_req, res) => { setTimeout(() => res.end('late'), 50) })
    const t = createH1Transport(OPTIONS)
    const inFlight = send(t, up.target, makeRequest(up.target))
    await delay(10)
    await t.close()
    assert.equal((await inFlight).body.toString(), 'late')
    const refused = await send(t, up.target, makeRequest(up.target))
    assert.equal(refused.error?.kind, 'connect-refused')
    await up.close()
  })

  test('request() throws on a header value with CR or LF, before any I/O', async () => {
    const t = createH1Transport(OPTIONS)
    const target = { id: '127.0.0.1:1', host: '127.0.0.1', port: 1, weight: 1 }
    const handler = { onHead () {}, onData: () => true, onEnd () {}, onError () {} }
    assert.throws(() => t.request(target, makeRequest(target, { headers: ['x', 'a\r\nb: c'] }), handler), TypeError)
    assert.throws(() => t.request(target, makeRequest(target, { path: '/a b' }), handler), TypeError)
    assert.throws(() => t.request(target, makeRequest(target, { method: 'G T' }), handler), TypeError)
    await t.close()
  })

  test('invalid options throw at construction', () => {
    assert.throws(() => createH1Transport({ ...OPTIONS, maxIdlePerTarget: -1 }), RangeError)
    assert.throws(() => createH1Transport({ ...OPTIONS, idleTimeoutMs: 0 }), RangeError)
    assert.throws(() => createH1Transport({ ...OPTIONS, maxConnectionsPerTarget: 0 }), RangeError)
  })

  test('a paused body resumes and completes, and the connection is reused', async () => {
    const up = await startHttpUpstream((_req, res) => { res.write('a'); setTimeout(() => res.end('b'), 20) })
    await withSetup(OPTIONS, up, async (t) => {
      for (let i = 0; i < 2; i++) {
        const out = await send(t, up.target, makeRequest(up.target), { pauseMs: 30 })
        assert.equal(out.body.toString(), 'ab')
      }
      assert.equal(up.connections(), 1)
    })
  })

  test('an early complete response ends the exchange and drops the connection', async () => {
    const up = await startRawUpstream((socket) => {
      onRequestHeads(socket, () => { socket.write('HTTP/1.1 413 Too Large\r\ncontent-length: 0\r\n\r\n') })
    })
    await withSetup(OPTIONS, up, async (t) => {
      const { Readable } = await import('node:stream')
      const body = new Readable({ read () {} })
      body.push('partial')
      const out = await send(t, up.target, makeRequest(up.target, { method: 'POST', body, idempotent: false }))
      assert.equal(out.status, 413)
      assert.ok(out.ended)
      await send(t, up.target, makeRequest(up.target))
      assert.equal(up.connections(), 2)
    })
  })

  test('under concurrency with aborts and resets every request ends exactly once', async () => {
    let n = 0
    const up = await startHttpUpstream((req, res) => {
      const i = n++
      if (i % 7 === 3) { req.socket.destroy(); return }
      res.setHeader('content-length', '6')
      res.write('abc')
      setTimeout(() => res.end('def'), i % 5)
    })
    const t = createH1Transport({ ...OPTIONS, maxIdlePerTarget: 8 })
    const endings: number[] = new Array(200).fill(0)
    const results = await Promise.all(endings.map(async (_, i) => {
      const aborted = i % 11 === 5
      const out = await Promise.race([
        send(t, up.target, makeRequest(up.target, { idempotent: i % 2 === 0 }), {
          onCall: (c) => { if (aborted) setTimeout(() => { c.abort() }, i % 3) }
        }),
        delay(aborted ? 100 : 3000).then(() => undefined)
      ])
      return { aborted, out }
    }))
    for (const { aborted, out } of results) {
      if (aborted) continue
      assert.ok(out !== undefined, 'a request never ended')
      assert.equal(out.extraEndings, 0)
      assert.ok(out.ended ? out.body.toString() === 'abcdef' : out.error !== undefined)
    }
    await t.close() // resolves only when the in-flight count is back to zero
    await up.close()
  })

  test('an already-ended stream body is sent as an empty chunked body', async () => {
    const { Readable } = await import('node:stream')
    const up = await startHttpUpstream((req, res) => { res.end(`${req.headers['transfer-encoding']}`) })
    await withSetup(OPTIONS, up, async (t) => {
      const body = Readable.from([])
      body.resume()
      await new Promise((resolve) => body.once('end', resolve))
      const out = await send(t, up.target, makeRequest(up.target, { method: 'POST', body, idempotent: false }))
      assert.equal(out.body.toString(), 'chunked')
    })
  })
})
