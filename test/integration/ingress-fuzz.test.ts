import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { INGRESS_KINDS } from '../support/configs.js'
import type { GatewayProcess } from '../support/gateway-process.js'
import { exchange, type ConnectionOutcome } from '../support/raw-connection.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { upstreamViews } from '../support/upstream-view.js'
import { seededRandom, type RandomSource } from '../../src/upstream/balancers/random.js'

/** Set TOLLGATE_FUZZ_SEED to replay a failure; TOLLGATE_FUZZ_STREAMS for a longer run. */
const SEED = Number(process.env.TOLLGATE_FUZZ_SEED ?? 20261124)
const STREAMS = Number(process.env.TOLLGATE_FUZZ_STREAMS ?? 150)

type Random = RandomSource
const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T

const METHODS = ['GET', 'GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']
const PATHS = ['/public/a', '/public/b?x=1&y=%20', '/public/a//b/../c', '/public/%2e%2e/admin', '/admin/x', '/guarded/g', '/nowhere', '/public/%2Fx', '/public/' + 'p'.repeat(300)]
const FIELDS = ['X-Trace: abc', 'Accept: */*', 'User-Agent: fuzz/1.0', 'Connection: keep-alive', 'Connection: X-Drop', 'X-Drop: 1', 'TE: trailers', 'Cookie: a=b; c=d', 'Apikey: admin-key-123', 'X-Empty:']

/** Breaks one request: the smuggling and malformation tricks of the parser self-test, and more. */
const BREAKS: ReadonlyArray<(head: string, body: string) => string> = [
  (head, body) => head.replace('\r\n\r\n', `\r\nContent-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n\r\n`) + body,
  (head, body) => head.replace('\r\n\r\n', `\r\nContent-Length: ${body.length}\r\nContent-Length: ${body.length}\r\n\r\n`) + body,
  (head, body) => head.replace('\r\n\r\n', `\r\nContent-Length: ${body.length}x\r\n\r\n`) + body,
  (head) => head.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked, identity\r\n\r\n') + '0\r\n\r\n',
  (head) => head.replace('\r\n\r\n', '\r\nTransfer-Encoding: xchunked\r\n\r\n') + '0\r\n\r\n',
  (head) => head.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n') + 'zz\r\nabc\r\n0\r\n\r\n',
  (head) => head.replace('\r\n\r\n', '\r\nTransfer-Encoding: chunked\r\n\r\n') + '3\r\nabcX\r\n0\r\n\r\n',
  (head) => head.replace(/\r\n/g, '\n'),
  (head) => head.replace('\r\n\r\n', '\r\nX-Cr: a\rb\r\n\r\n'),
  (head) => head.replace('\r\n\r\n', '\r\nX-Nul: a\x00b\r\n\r\n'),
  (head) => head.replace('\r\n\r\n', '\r\nX-Fold: a\r\n folded\r\n\r\n'),
  (head) => head.replace('\r\n\r\n', '\r\nX-Space : a\r\n\r\n'),
  (head) => head.replace(/ HTTP\/1\.[01]/, ' HTTP/1.7'),
  (head) => head.replace('\r\n\r\n', `\r\nX-Huge: ${'h'.repeat(5000)}\r\n\r\n`),
  () => 'NOT-HTTP AT ALL\r\n\r\n'
]

/** `halfClose`: the client sends FIN after the last byte and reads on (a quarter of the streams). */
interface Stream { bytes: string, requests: number, bodyless: boolean[], halfClose: boolean }

/** One request: random method, path, fields, and a body by Content-Length, chunks or none. */
function request (random: Random, last: boolean): { text: string, head: boolean } {
  const method = pick(random, METHODS)
  const version = random() < 0.1 ? '1.0' : '1.1'
  let head = `${method} ${pick(random, PATHS)} HTTP/${version}\r\nHost: gw.test\r\n`
  const fieldCount = Math.floor(random() * 4)
  for (let i = 0; i < fieldCount; i++) head += `${pick(random, FIELDS)}\r\n`
  if (last && random() < 0.2) head += 'Connection: close\r\n'
  const bodyKind = method === 'GET' || method === 'HEAD' ? 0 : Math.floor(random() * 3)
  const body = 'b'.repeat(Math.floor(random() * 120))
  if (random() < 0.25) {
    return { text: pick(random, BREAKS)(head + '\r\n', body), head: method === 'HEAD' }
  }
  if (bodyKind === 1) return { text: `${head}Content-Length: ${body.length}\r\n\r\n${body}`, head: method === 'HEAD' }
  if (bodyKind === 2) {
    let chunks = ''
    for (let at = 0; at < body.length;) {
      const size = 1 + Math.floor(random() * 40)
      const chunk = body.slice(at, at + size)
      chunks += `${chunk.length.toString(16)}\r\n${chunk}\r\n`
      at += size
    }
    return { text: `${head}Transfer-Encoding: chunked\r\n\r\n${chunks}0\r\n\r\n`, head: method === 'HEAD' }
  }
  return { text: `${head}\r\n`, head: method === 'HEAD' }
}

function generate (random: Random): Stream {
  const count = 1 + Math.floor(random() * 3)
  let bytes = ''
  const bodyless: boolean[] = []
  for (let i = 0; i < count; i++) {
    const one = request(random, i === count - 1)
    bytes += one.text
    bodyless.push(one.head)
  }
  return { bytes, requests: count, bodyless, halfClose: random() < 0.25 }
}

/** Cuts the stream at up to four random byte offsets (each piece is written on its own). */
function split (random: Random, bytes: string): string[] {
  const cuts = [...new Set(Array.from({ length: Math.floor(random() * 5) }, () => Math.floor(random() * bytes.length)))].sort((a, b) => a - b)
  const pieces: string[] = []
  let at = 0
  for (const cut of cuts) {
    if (cut > at) pieces.push(bytes.slice(at, cut))
    at = Math.max(at, cut)
  }
  pieces.push(bytes.slice(at))
  return pieces.filter((p) => p.length > 0)
}

interface Verdict { statuses: number[], closed: boolean, upstream: unknown[] }

describe(`differential fuzz: fast-h1 and node give the same verdict (seed ${SEED})`, () => {
  const gateways = new Map<string, { gateway: GatewayProcess, port: number, upstream: UpstreamServer }>()

  before(async () => {
    for (const ingress of INGRESS_KINDS) {
      const upstream = new UpstreamServer()
      const { gateway, port } = await startSuiteGateway(upstream, {
        ingress,
        halfClose: 'answer',
        gateway: {
          limits: { max_header_count: 20, max_header_bytes: 4096, max_url_bytes: 256 },
          timeouts: { header_read_ms: 1000, keep_alive_idle_ms: 5000, request_ms: 2000 }
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
      })
      gateways.set(ingress, { gateway, port, upstream })
    }
  })

  after(async () => {
    for (const { gateway, upstream } of gateways.values()) await stopSuiteGateway(gateway, upstream)
  })

  it(`${STREAMS} generated request streams, split at random byte boundaries`, async () => {
    const random = seededRandom(SEED)
    for (let n = 0; n < STREAMS; n++) {
      const stream = generate(random)
      const pieces = split(random, stream.bytes)
      const verdicts = new Map<string, Verdict>()
      const raws: string[] = []
      for (const [ingress, { port, upstream }] of gateways) {
        const first = upstream.seen.length
        const outcome: ConnectionOutcome = await exchange(port, pieces, stream.requests, { bodyless: stream.bodyless, halfClose: stream.halfClose })
        raws.push(`${ingress}: ${JSON.stringify(outcome.raw.slice(0, 600))}`)
        const seen = upstream.seen.slice(first).filter((s) => !s.url.endsWith('__probe'))
        verdicts.set(ingress, { statuses: outcome.statuses, closed: outcome.closed, upstream: upstreamViews(seen) })
      }
      assert.deepEqual(verdicts.get('fast-h1'), verdicts.get('node'),
        `stream ${n} of seed ${SEED} differs:\n${JSON.stringify(pieces)}${stream.halfClose ? ', then FIN' : ''}\n${raws.join('\n')}`)
    }
  })
})
