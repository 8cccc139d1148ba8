// Crafted bad responses from a raw TCP upstream: each must fail the attempt with `bad-response`
// and the connection must not be reused (the next request arrives on a new connection).
import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { createH1Transport } from './h1-client.js'
import { makeRequest, onRequestHeads, send, startRawUpstream } from './test-upstreams.js'
import type { TransportOptions, UpstreamTransport } from './transport.js'
import { createUndiciTransport } from './undici.js'

const OPTIONS: TransportOptions = { protocol: 'http', maxIdlePerTarget: 4, idleTimeoutMs: 5000 }
const GOOD = 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'

const CASES: Array<[string, string]> = [
  ['CL and TE together', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'],
  ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello'],
  ['negative Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
  ['non-numeric Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: 5a\r\n\r\nhello'],
  ['bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n'],
  ['missing CRLF after chunk data', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n'],
  ['obs-fold', 'HTTP/1.1 200 OK\r\nx-a: b\r\n c\r\ncontent-length: 0\r\n\r\n'],
  ['NUL in a header', 'HTTP/1.1 200 OK\r\nx-a: b\0c\r\ncontent-length: 0\r\n\r\n'],
  ['whitespace before the colon', 'HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n'],
  ['a coding other than chunked', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\nabc'],
  ['oversized head', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(100 * 1024)}\r\ncontent-length: 0\r\n\r\n`],
  ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'],
  ['bytes after a complete response', 'HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n']
]

/** Cases the undici reference cannot meet, with the reason. */
const UNDICI_SKIPS: Record<string, string> = {
  'a coding other than chunked': 'undici accepts Transfer-Encoding: gzip and reads the body until the connection closes',
  '101 Switching Protocols': 'undici reports an unrequested 101 as a socket error ("bad upgrade"), which maps to reset, not bad-response'
}

const IMPLEMENTATIONS: Array<[string, (o: TransportOptions) => UpstreamTransport, Record<string, string>]> = [
  ['h1-client', createH1Transport, {}],
  ['undici', createUndiciTransport, UNDICI_SKIPS]
]

for (const [name, create, skips] of IMPLEMENTATIONS) {
  describe(`response framing: ${name}`, () => {
    for (const [caseName, raw] of CASES) {
      const skip = skips[caseName]
      test(`${caseName} is a bad response and the connection is dropped`, skip !== undefined ? { skip } : {}, async () => {
        const up = await startRawUpstream((socket, index) => {
          onRequestHeads(socket, () => { socket.write(index === 0 ? raw : GOOD) })
        })
        const transport = create(OPTIONS)
        try {
          const bad = await send(transport, up.target, makeRequest(up.target))
          if (caseName === 'bytes after a complete response') {
            assert.equal(bad.body.toString(), 'ok') // the response itself was fine
          } else {
            assert.equal(bad.error?.kind, 'bad-response', bad.error?.message)
          }
          assert.equal(bad.extraEndings, 0)
          const good = await send(transport, up.target, makeRequest(up.target))
          assert.equal(good.body.toString(), 'ok')
          assert.equal(up.connections(), 2)
        } finally {
          await transport.close()
          await up.close()
        }
      })
    }
  })
}
