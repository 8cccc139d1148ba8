import assert from 'node:assert/strict'
import net from 'node:net'
import { after, before, describe, it } from 'node:test'
import { INGRESS_KINDS } from '../support/configs.js'
import type { GatewayProcess } from '../support/gateway-process.js'
import { exchange, halfClosedExchange } from '../support/raw-connection.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'
import { UpstreamServer, type SeenRequest } from '../support/upstream-server.js'
import { upstreamViews } from '../support/upstream-view.js'

/** One framing, limit, normalisation or hop-by-hop case, with the verdict both ingresses must give. */
interface VerdictCase {
  readonly name: string
  /** Bytes written on one connection, each piece in its own write. */
  readonly pieces: string[]
  /** Final statuses the client must get, in order. */
  readonly statuses: number[]
  /** Whether the server must close the connection after them (else a probe must be answered). */
  readonly closed: boolean
  /** Interim (1xx) responses the client must get, when the case is about them. */
  readonly interim?: number[]
  /** Send the pieces after the first only once a 1xx came (a client honouring its Expect). */
  readonly awaitContinue?: boolean
  /** Responses to HEAD (no body). */
  readonly bodyless?: boolean[]
  /** The client sends FIN after the last piece and goes on reading (no probe: `closed` is the server's close). */
  readonly halfClose?: boolean
  /** The `connection` and `keep-alive` fields each response must carry, when the case is about them. */
  readonly connection?: string[]
  /** What the upstream must have received: method, URL and body of each request, in order. */
  readonly upstream: string[]
  /** More checks on what the upstream received. */
  readonly check?: (seen: SeenRequest[]) => void
}

const H = 'Host: gw.test\r\n'
const get = (path: string, extra = ''): string => `GET ${path} HTTP/1.1\r\n${H}${extra}\r\n`
const post = (path: string, fields: string, body: string): string => `POST ${path} HTTP/1.1\r\n${H}${fields}\r\n${body}`
const chunked = (...chunks: string[]): string => chunks.map((c) => `${c.length.toString(16)}\r\n${c}\r\n`).join('') + '0\r\n\r\n'
const fields = (count: number): string => Array.from({ length: count }, (_, i) => `X-F${i}: v\r\n`).join('')
/** What a kept connection's answer says: keep_alive_idle_ms (1000 below) in whole seconds. */
const KEPT = 'connection: keep-alive; keep-alive: timeout=1'
/** The upstream answers paths under /public/delay/ late, so a FIN comes while they are in flight. */
const DELAY_MS = 150
/** A body the upstream sends slowly: 64 pieces of 32 KiB, 5 ms apart. */
const STREAM_PIECES = 64
const STREAM_PIECE_BYTES = 32 * 1024

const CASES: VerdictCase[] = [
  { name: 'a GET keeps the connection', pieces: [get('/public/a?b=1')], statuses: [200], closed: false, upstream: ['GET /public/a?b=1 '] },
  { name: 'Connection: close closes after the answer', pieces: [get('/public/a', 'Connection: close\r\n')], statuses: [200], closed: true, upstream: ['GET /public/a '] },
  { name: 'HTTP/1.0 closes by default', pieces: ['GET /public/a HTTP/1.0\r\n\r\n'], statuses: [200], closed: true, upstream: ['GET /public/a '] },
  { name: 'HTTP/1.0 with keep-alive and a known length stays open', pieces: ['GET /public/a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], statuses: [200], closed: false, upstream: ['GET /public/a '] },
  { name: 'HTTP/1.0 keep-alive with a response of unknown length closes', pieces: ['GET /public/nolength HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], statuses: [200], closed: true, upstream: ['GET /public/nolength '] },
  { name: 'pipelined requests are answered in order', pieces: [get('/public/1') + post('/public/2', 'Content-Length: 3\r\n', 'abc') + get('/public/3')], statuses: [200, 200, 200], closed: false, upstream: ['GET /public/1 ', 'POST /public/2 abc', 'GET /public/3 '] },
  { name: 'a request split at every byte', pieces: [...post('/public/split', 'Transfer-Encoding: chunked\r\n', chunked('ab', 'cd'))], statuses: [200], closed: false, upstream: ['POST /public/split abcd'] },
  { name: 'a chunked body is streamed upstream', pieces: [post('/public/c', 'Transfer-Encoding: chunked\r\n', chunked('hello ', 'world'))], statuses: [200], closed: false, upstream: ['POST /public/c hello world'] },
  { name: 'chunk extensions and trailers are accepted', pieces: [post('/public/ext', 'Transfer-Encoding: chunked\r\n', '3;name=v\r\nabc\r\n0\r\nX-Trailer: t\r\n\r\n')], statuses: [200], closed: false, upstream: ['POST /public/ext abc'] },
  { name: 'HEAD gets no body and the connection stays usable', pieces: [`HEAD /public/h HTTP/1.1\r\n${H}\r\n`], statuses: [200], bodyless: [true], closed: false, upstream: ['HEAD /public/h '] },
  { name: '204 has no body framing', pieces: [get('/public/status/204')], statuses: [204], closed: false, upstream: ['GET /public/status/204 '] },
  { name: '304 has no body framing', pieces: [get('/public/status/304')], statuses: [304], closed: false, upstream: ['GET /public/status/304 '] },
  { name: 'a response of unknown length is chunked to HTTP/1.1', pieces: [get('/public/nolength') + get('/public/after')], statuses: [200, 200], closed: false, upstream: ['GET /public/nolength ', 'GET /public/after '] },
  { name: 'Content-Length with Transfer-Encoding is refused', pieces: [post('/public/s', 'Content-Length: 3\r\nTransfer-Encoding: chunked\r\n', chunked('abc'))], statuses: [400], closed: true, upstream: [] },
  { name: 'duplicate Content-Length is refused', pieces: [post('/public/s', 'Content-Length: 3\r\nContent-Length: 3\r\n', 'abc')], statuses: [400], closed: true, upstream: [] },
  { name: 'a malformed Content-Length is refused', pieces: [post('/public/s', 'Content-Length: 3x\r\n', 'abc')], statuses: [400], closed: true, upstream: [] },
  { name: 'chunked not last is refused', pieces: [post('/public/s', 'Transfer-Encoding: chunked, identity\r\n', chunked('abc'))], statuses: [400], closed: true, upstream: [] },
  { name: 'xchunked is refused', pieces: [post('/public/s', 'Transfer-Encoding: xchunked\r\n', chunked('abc'))], statuses: [400], closed: true, upstream: [] },
  { name: 'bare LF line endings are refused', pieces: ['GET /public/s HTTP/1.1\nHost: gw.test\n\n'], statuses: [400], closed: true, upstream: [] },
  { name: 'a bare CR is refused', pieces: ['GET /public/s HTTP/1.1\r\nHost: gw.test\rX: y\r\n\r\n'], statuses: [400], closed: true, upstream: [] },
  { name: 'NUL in a header is refused', pieces: [get('/public/s', 'X: a\x00b\r\n')], statuses: [400], closed: true, upstream: [] },
  { name: 'obs-fold is refused', pieces: [get('/public/s', 'X: a\r\n b\r\n')], statuses: [400], closed: true, upstream: [] },
  { name: 'a space before the colon is refused', pieces: [get('/public/s', 'X-Y : a\r\n')], statuses: [400], closed: true, upstream: [] },
  { name: 'a malformed chunk size is refused', pieces: [post('/public/s', 'Transfer-Encoding: chunked\r\n', 'zz\r\nabc\r\n0\r\n\r\n')], statuses: [400], closed: true, upstream: [] },
  { name: 'garbage after a valid request: the answer, then 400', pieces: [get('/public/ok') + 'NOT HTTP\r\n\r\n'], statuses: [200, 400], closed: true, upstream: ['GET /public/ok '] },
  { name: 'nothing after Connection: close is read', pieces: [get('/public/first', 'Connection: close\r\n') + get('/public/second')], statuses: [200], closed: true, upstream: ['GET /public/first '] },
  { name: 'a header-count flood gets 431', pieces: [get('/public/flood', fields(25))], statuses: [431], closed: false, upstream: [] },
  { name: 'a head over the byte limit gets 431', pieces: [get('/public/big', `X-Big: ${'b'.repeat(5000)}\r\n`)], statuses: [431], closed: true, upstream: [] },
  { name: 'a URL over the limit gets 414', pieces: [get(`/public/${'u'.repeat(600)}`)], statuses: [414], closed: false, upstream: [] },
  { name: 'a declared body over the route limit gets 413', pieces: [post('/guarded/x', 'Content-Length: 100\r\n', 'x'.repeat(100))], statuses: [413], closed: false, upstream: [] },
  { name: 'a chunked body over the route limit gets 413 and closes', pieces: [post('/guarded/x', 'Transfer-Encoding: chunked\r\n', chunked('x'.repeat(50), 'y'.repeat(50)))], statuses: [413], closed: true, upstream: [] },
  { name: 'a dot-segment escape is routed to its normalised path', pieces: [get('/public/../admin/x')], statuses: [401], closed: false, upstream: [] },
  { name: 'an encoded slash is refused', pieces: [get('/public/%2F..%2Fadmin')], statuses: [400], closed: false, upstream: [] },
  { name: 'the path goes upstream normalised', pieces: [get('/public/a//b/./c/../%64')], statuses: [200], closed: false, upstream: ['GET /public/a/b/d '] },
  { name: 'HTTP/1.1 without Host gets 400', pieces: ['GET /public/a HTTP/1.1\r\n\r\n'], statuses: [400], closed: false, upstream: [] },
  {
    name: 'hop-by-hop fields and those named in Connection are not forwarded',
    pieces: [get('/public/hop', 'Connection: keep-alive, X-Secret\r\nX-Secret: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nUpgrade: foo\r\nProxy-Authorization: x\r\nX-Kept: yes\r\n')],
    statuses: [200],
    closed: false,
    upstream: ['GET /public/hop '],
    check: (seen) => {
      const names = (seen[0]?.rawHeaders ?? []).filter((_, i) => i % 2 === 0).map((n) => n.toLowerCase())
      for (const name of ['x-secret', 'keep-alive', 'te', 'upgrade', 'proxy-authorization']) assert.ok(!names.includes(name), `${name} must not reach the upstream`)
      assert.ok(names.includes('x-kept'))
    }
  },
  { name: 'Expect: 100-continue is answered when the body is read', pieces: [post('/public/e', 'Content-Length: 3\r\nExpect: 100-continue\r\n', ''), 'abc'], statuses: [200], interim: [100], awaitContinue: true, closed: false, upstream: ['POST /public/e abc'] },
  { name: 'Expect: 100-continue refused before the body: no 100, and the connection closes', pieces: [post('/admin/e', 'Content-Length: 3\r\nExpect: 100-continue\r\n', '')], statuses: [401], interim: [], closed: true, upstream: [] },
  { name: 'an expectation other than 100-continue gets 417', pieces: [get('/public/e', 'Expect: teapot\r\n')], statuses: [417], closed: false, upstream: [] },
  { name: 'CONNECT drops the connection', pieces: [`CONNECT gw.test:443 HTTP/1.1\r\n${H}\r\n`], statuses: [], closed: true, upstream: [] },
  { name: 'a kept connection announces the keep-alive idle time', pieces: [get('/public/kept'), 'GET /public/kept10 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n'], statuses: [200, 200], connection: [KEPT, KEPT], closed: false, upstream: ['GET /public/kept ', 'GET /public/kept10 '] },
  { name: 'a request, then FIN: answered, then the connection closes', pieces: [get('/public/delay/fin')], halfClose: true, statuses: [200], connection: ['connection: close'], closed: true, upstream: ['GET /public/delay/fin '] },
  { name: 'pipelined requests, then FIN: all answered in order, then closed', pieces: [get('/public/delay/fin-a') + get('/public/delay/fin-b')], halfClose: true, statuses: [200, 200], connection: [KEPT, 'connection: close'], closed: true, upstream: ['GET /public/delay/fin-a ', 'GET /public/delay/fin-b '] },
  { name: 'a request with a body, then FIN: answered, then closed', pieces: [post('/public/delay/fin-body', 'Content-Length: 5\r\n', 'hello'), post('/public/delay/fin-chunks', 'Transfer-Encoding: chunked\r\n', chunked('hel', 'lo'))], halfClose: true, statuses: [200, 200], closed: true, upstream: ['POST /public/delay/fin-body hello', 'POST /public/delay/fin-chunks hello'] },
  { name: 'a head cut short by FIN: no answer, nothing upstream', pieces: ['GET /public/fin-cut HTTP/1.1\r\nHost: gw.test\r\n'], halfClose: true, statuses: [], closed: true, upstream: [] },
  { name: 'a body cut short by FIN: no answer, nothing upstream', pieces: [post('/public/fin-cut', 'Content-Length: 10\r\n', 'abc')], halfClose: true, statuses: [], closed: true, upstream: [] },
  { name: 'a request, then one cut short by FIN: only the first is answered', pieces: [get('/public/delay/fin-whole') + 'GET /public/fin-cut HTTP/1.1\r\nHo'], halfClose: true, statuses: [200], closed: true, upstream: ['GET /public/delay/fin-whole '] },
  { name: 'garbage after a valid request, then FIN: the answer, then 400', pieces: [get('/public/delay/fin-ok') + 'NOT HTTP\r\n\r\n'], halfClose: true, statuses: [200, 400], closed: true, upstream: ['GET /public/delay/fin-ok '] },
  { name: 'FIN on a connection that sent nothing closes it', pieces: [''], halfClose: true, statuses: [], closed: true, upstream: [] },
  { name: 'a connection that sends nothing gets 408', pieces: [''], statuses: [408], closed: true, upstream: [] },
  { name: 'a head that never ends gets 408', pieces: ['GET /public/slow HTTP/1.1\r\nHost: gw.test\r\n'], statuses: [408], closed: true, upstream: [] },
  { name: 'a body that never ends gets 408', pieces: [post('/public/slowbody', 'Content-Length: 10\r\n', 'abc')], statuses: [408], closed: true, upstream: [] }
]

/** What one case produced, as compared across ingresses. */
interface Outcome { statuses: number[], interim: number[], closed: boolean, connectionFields: string[], upstream: unknown[] }
const outcomes = new Map<string, Map<string, Outcome>>()

for (const ingress of INGRESS_KINDS) {
  describe(`framing, limits and normalisation on the ${ingress} ingress`, () => {
    const upstream = new UpstreamServer((req, res) => {
      const status = /\/status\/(\d{3})$/.exec(req.url ?? '')
      if (status !== null) {
        res.writeHead(Number(status[1]))
        res.end()
      } else if (req.url === '/public/nolength') {
        res.write('abc')
        res.end('def')
      } else if (req.url?.startsWith('/public/delay/') === true) {
        setTimeout(() => res.end(`reached ${req.url}`), DELAY_MS)
      } else if (req.url === '/public/stream') {
        res.writeHead(200, { 'content-length': STREAM_PIECES * STREAM_PIECE_BYTES })
        let sent = 0
        const next = (): void => {
          if (res.destroyed) return
          res.write(Buffer.alloc(STREAM_PIECE_BYTES, 0x61 + (sent % 26)))
          if (++sent === STREAM_PIECES) res.end()
          else setTimeout(next, 5)
        }
        next()
      } else {
        res.end(`reached ${req.url}`)
      }
    })
    let gateway: GatewayProcess
    let port: number
    const results = new Map<string, Outcome>()
    outcomes.set(ingress, results)

    before(async () => {
      ({ gateway, port } = await startSuiteGateway(upstream, {
        ingress,
        // The FIN cases test half-closes; half_close: abort is tested in ingress-half-close.test.ts.
        halfClose: 'answer',
        gateway: {
          limits: { max_header_count: 20, max_header_bytes: 4096, max_url_bytes: 512 },
          timeouts: { header_read_ms: 1000, keep_alive_idle_ms: 1000, request_ms: 3000 }
        },
        merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'admin-key-123' }] } }],
        routes: [
          { id: 'admin', service: 'backend', paths: ['/admin/*'] },
          { id: 'public', service: 'backend', paths: ['/public/*'] },
          { id: 'guarded', service: 'backend', paths: ['/guarded/*'] }
        ],
        plugins: [
          { name: 'key-auth', route: 'admin' },
          { name: 'request-guard', route: 'guarded', config: { max_body_bytes: 64 } }
        ]
      }))
    })

    after(() => stopSuiteGateway(gateway, upstream))

    for (const testCase of CASES) {
      it(testCase.name, async () => {
        const first = upstream.seen.length
        const outcome = await exchange(port, testCase.pieces, testCase.statuses.length, { bodyless: testCase.bodyless, awaitContinue: testCase.awaitContinue, halfClose: testCase.halfClose })
        const seen = upstream.seen.slice(first)
        results.set(testCase.name, { statuses: outcome.statuses, interim: outcome.interim, closed: outcome.closed, connectionFields: outcome.connectionFields, upstream: upstreamViews(seen) })
        assert.deepEqual(outcome.statuses, testCase.statuses, `statuses; received: ${outcome.raw.slice(0, 400)}`)
        assert.equal(outcome.closed, testCase.closed, `connection ${testCase.closed ? 'closed' : 'kept'}; received: ${outcome.raw.slice(0, 400)}`)
        assert.deepEqual(seen.map((s) => `${s.method} ${s.url} ${s.body.toString('latin1')}`).sort(), [...testCase.upstream].sort())
        if (testCase.interim !== undefined) assert.deepEqual(outcome.interim, testCase.interim, 'interim responses')
        if (testCase.connection !== undefined) assert.deepEqual(outcome.connectionFields, testCase.connection, 'connection fields')
        testCase.check?.(seen)
        // Errors the gateway writes itself are JSON with a request id, on either ingress.
        if (outcome.statuses.some((s) => s === 400 || s === 408 || s === 413 || s === 414 || s === 431)) assert.match(outcome.raw, /"request_id":"/)
      })
    }

    it('closes a keep-alive connection left idle past keep_alive_idle_ms', async () => {
      let received = ''
      const closed = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => socket.write(get('/public/idle')))
        const timer = setTimeout(() => { socket.destroy(); resolve(false) }, 8000)
        socket.setEncoding('latin1').on('data', (chunk: string) => { received += chunk })
        socket.on('close', () => { clearTimeout(timer); resolve(true) })
        socket.on('error', () => {})
      })
      assert.match(received, /^HTTP\/1\.1 200 /)
      assert.doesNotMatch(received, /connection: close/i, 'the answer itself kept the connection')
      results.set('idle keep-alive', { statuses: [200], interim: [], closed, connectionFields: [], upstream: [] })
      assert.ok(closed, 'the server closes the idle connection')
    })

    it('streams a slow, large answer whole to a client that half-closed after its request', async () => {
      const expected = Buffer.concat(Array.from({ length: STREAM_PIECES }, (_, i) => Buffer.alloc(STREAM_PIECE_BYTES, 0x61 + (i % 26))))
      const { head, body, closed } = await halfClosedExchange(port, get('/public/stream'))
      assert.match(head, /^HTTP\/1\.1 200 /)
      assert.equal(body.length, expected.length, 'the whole body arrived')
      assert.ok(body.equals(expected), 'byte for byte')
      assert.ok(closed, 'the server closes after it')
      results.set('half-closed stream', { statuses: [200], interim: [], closed, connectionFields: [], upstream: [] })
    })
  })
}

describe('one verdict for both ingresses', () => {
  it('gives the same statuses, connection handling and upstream bytes on fast-h1 and node', () => {
    const fast = outcomes.get('fast-h1')
    const node = outcomes.get('node')
    assert.ok(fast !== undefined && node !== undefined)
    for (const name of [...CASES.map((c) => c.name), 'idle keep-alive', 'half-closed stream']) {
      assert.deepEqual(fast.get(name), node.get(name), name)
    }
  })
})
