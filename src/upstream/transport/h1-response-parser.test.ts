import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { H1ParseError } from './h1-head-parser.js'
import { H1ResponseParser, MAX_HEAD_BYTES } from './h1-response-parser.js'

interface Parsed {
  status?: number
  headers?: string[]
  body: string
  done: boolean
  keepAlive: boolean
  extraBytes: boolean
}

/** Feeds `raw` to a fresh parser in pieces of `piece` bytes. */
function parse (raw: string, piece = Infinity, headRequest = false): Parsed {
  const parser = new H1ResponseParser()
  parser.reset(headRequest)
  const out: Parsed = { body: '', done: false, keepAlive: false, extraBytes: false }
  const sink = {
    onResponseHead (status: number, headers: string[]) { out.status = status; out.headers = headers; return true },
    onBodyChunk (chunk: Buffer) { out.body += chunk.toString('latin1'); return true }
  }
  const bytes = Buffer.from(raw, 'latin1')
  for (let i = 0; i < bytes.length && !parser.done; i += piece) {
    parser.execute(bytes.subarray(i, Math.min(bytes.length, i + piece)), sink)
  }
  out.done = parser.done
  out.keepAlive = parser.keepAlive
  out.extraBytes = parser.extraBytes
  return out
}

const CHUNKED = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A:  v  \r\n\r\n' +
  '5;name=value\r\nhello\r\n1a\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nx-trailer: 1\r\n\r\n'

describe('H1ResponseParser', () => {
  test('parses a chunked response split at every byte', () => {
    for (const piece of [1, 2, 3, 7, Infinity]) {
      const out = parse(CHUNKED, piece)
      assert.equal(out.status, 200)
      assert.deepEqual(out.headers, ['transfer-encoding', 'chunked', 'x-a', 'v'])
      assert.equal(out.body, 'helloabcdefghijklmnopqrstuvwxyz')
      assert.ok(out.done)
      assert.ok(out.keepAlive)
    }
  })

  test('Content-Length body split at every byte', () => {
    const out = parse('HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello', 1)
    assert.equal(out.body, 'hello')
    assert.ok(out.done)
  })

  test('identical duplicate Content-Length values are accepted', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\ncontent-length: 2\r\ncontent-length: 2, 2\r\n\r\nok').body, 'ok')
  })

  test('status line without reason phrase', () => {
    assert.equal(parse('HTTP/1.1 204\r\n\r\n').status, 204)
  })

  test('HTTP/1.0 is keep-alive only when it says so', () => {
    assert.equal(parse('HTTP/1.0 200 OK\r\ncontent-length: 0\r\n\r\n').keepAlive, false)
    assert.equal(parse('HTTP/1.0 200 OK\r\nconnection: Keep-Alive\r\ncontent-length: 0\r\n\r\n').keepAlive, true)
  })

  test('connection: close is not keep-alive', () => {
    assert.equal(parse('HTTP/1.1 200 OK\r\nconnection: foo, close\r\ncontent-length: 0\r\n\r\n').keepAlive, false)
  })

  test('no length means close-delimited, never keep-alive', () => {
    const parser = new H1ResponseParser()
    parser.reset(false)
    let body = ''
    const sink = { onResponseHead: () => true, onBodyChunk: (c: Buffer) => { body += c.toString(); return true } }
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\n\r\nabc'), sink)
    parser.execute(Buffer.from('def'), sink)
    assert.equal(parser.done, false)
    assert.equal(parser.finish(), true)
    assert.equal(body, 'abcdef')
    assert.equal(parser.keepAlive, false)
  })

  test('a cut-short Content-Length body is not complete at close', () => {
    const parser = new H1ResponseParser()
    parser.reset(false)
    parser.execute(Buffer.from('HTTP/1.1 200 OK\r\ncontent-length: 9\r\n\r\nabc'), { onResponseHead: () => true, onBodyChunk: () => true })
    assert.equal(parser.finish(), false)
  })

  test('HEAD, 204 and 304 have no body whatever their length fields say', () => {
    assert.ok(parse('HTTP/1.1 200 OK\r\ncontent-length: 10\r\n\r\n', Infinity, true).done)
    assert.ok(parse('HTTP/1.1 204 No Content\r\ncontent-length: 10\r\n\r\n').done)
    assert.ok(parse('HTTP/1.1 304 Not Modified\r\ntransfer-encoding: chunked\r\n\r\n').done)
  })

  test('1xx responses are skipped', () => {
    const out = parse('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nlink: <a>\r\n\r\nHTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nx', 4)
    assert.equal(out.status, 200)
    assert.equal(out.body, 'x')
  })

  test('bytes after the response are flagged', () => {
    assert.ok(parse('HTTP/1.1 200 OK\r\ncontent-length: 1\r\n\r\nxHTTP/1.1').extraBytes)
  })

  const BAD: Array<[string, string]> = [
    ['CL and TE together', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['TE and CL together', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ncontent-length: 5\r\n\r\n0\r\n\r\n'],
    ['two different Content-Lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 6\r\n\r\nhello'],
    ['a list of different lengths', 'HTTP/1.1 200 OK\r\ncontent-length: 5, 6\r\n\r\nhello'],
    ['negative Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: -1\r\n\r\n'],
    ['non-numeric Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: 5a\r\n\r\nhello'],
    ['empty Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length:\r\n\r\n'],
    ['huge Content-Length', 'HTTP/1.1 200 OK\r\ncontent-length: 99999999999999999999\r\n\r\n'],
    ['a coding other than chunked', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip\r\n\r\n'],
    ['chunked not alone', 'HTTP/1.1 200 OK\r\ntransfer-encoding: gzip, chunked\r\n\r\n0\r\n\r\n'],
    ['chunked twice', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['TE in HTTP/1.0', 'HTTP/1.0 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n'],
    ['bad chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n'],
    ['empty chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n\r\n'],
    ['chunk size overflow', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nfffffffffffffffff\r\n'],
    ['chunk size with a sign', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n-5\r\n'],
    ['missing CRLF after chunk data', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n'],
    ['bare LF after chunk size', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n'],
    ['obs-fold', 'HTTP/1.1 200 OK\r\nx-a: b\r\n c\r\ncontent-length: 0\r\n\r\n'],
    ['NUL in a header value', 'HTTP/1.1 200 OK\r\nx-a: b\0c\r\ncontent-length: 0\r\n\r\n'],
    ['whitespace before the colon', 'HTTP/1.1 200 OK\r\ncontent-length : 0\r\n\r\n'],
    ['invalid name character', 'HTTP/1.1 200 OK\r\nx(a): b\r\ncontent-length: 0\r\n\r\n'],
    ['empty header name', 'HTTP/1.1 200 OK\r\n: b\r\ncontent-length: 0\r\n\r\n'],
    ['header line without colon', 'HTTP/1.1 200 OK\r\nnocolon\r\ncontent-length: 0\r\n\r\n'],
    ['bare LF line ends', 'HTTP/1.1 200 OK\ncontent-length: 0\n\n'],
    ['bare LF inside the head', 'HTTP/1.1 200 OK\r\nx: a\nb: c\r\ncontent-length: 0\r\n\r\n'],
    ['HTTP/2 status line', 'HTTP/2 200 OK\r\ncontent-length: 0\r\n\r\n'],
    ['two-digit status', 'HTTP/1.1 20 OK\r\ncontent-length: 0\r\n\r\n'],
    ['status 099', 'HTTP/1.1 099 OK\r\ncontent-length: 0\r\n\r\n'],
    ['101 Switching Protocols', 'HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: upgrade\r\n\r\n'],
    ['oversized head', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(MAX_HEAD_BYTES)}\r\ncontent-length: 0\r\n\r\n`],
    ['oversized incomplete head', `HTTP/1.1 200 OK\r\nx-big: ${'a'.repeat(MAX_HEAD_BYTES)}`],
    ['NUL in a trailer', 'HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n0\r\nx: a\0\r\n\r\n']
  ]
  for (const [name, raw] of BAD) {
    test(`refuses ${name}`, () => {
      for (const piece of [Infinity, 5]) {
        assert.throws(() => parse(raw, piece), H1ParseError)
      }
    })
  }
})
