// Upstream faults, one row per way a backend or the network breaks: a fault-injecting TCP proxy
// sits between the gateway and a real upstream. Each row runs through a real gateway process
// (primary + 2 workers: the status and body the client gets, the connection cut on a mid-body
// failure, no worker dying) and through the in-process gateway, whose per-target counters show
// that every attempt was ended (nothing left in flight).
import assert from 'node:assert/strict'
import http from 'node:http'
import { createServer as createNetServer, type Server as NetServer, type Socket } from 'node:net'
import { after, before, describe, test } from 'node:test'
import { InProcessGateway } from '../../src/testing/inject.js'
import { gatewayConfig } from '../support/configs.js'
import { FaultProxy, type FaultMode } from '../support/fault-proxy.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { eventually, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

/** The upstream's answer: a head of ~100 bytes and a body of 2000. */
const BODY = 'x'.repeat(2000)
const READ_MS = 600

/** What the client saw: the status and body, and whether the response ended properly. */
interface Seen { status: number, body: string, complete: boolean }

interface Row {
  name: string
  mode: FaultMode
  /** Expected status, and the catalog code of a gateway error (undefined: the upstream's answer). */
  status: number
  code?: string
  /** False when the client connection must be cut (a failure after the head was forwarded). */
  complete: boolean
}

const ROWS: Row[] = [
  { name: 'pass: the answer goes through', mode: { kind: 'pass' }, status: 200, complete: true },
  { name: 'refuse: 502', mode: { kind: 'refuse' }, status: 502, code: 'TG_UPSTREAM_CONNECT_FAILED', complete: true },
  { name: 'reset before the head: 502', mode: { kind: 'reset' }, status: 502, code: 'TG_UPSTREAM_CONNECT_FAILED', complete: true },
  { name: 'reset inside the head: 502', mode: { kind: 'reset-reply', afterBytes: 20 }, status: 502, code: 'TG_UPSTREAM_CONNECT_FAILED', complete: true },
  { name: 'reset mid-body: the client connection is cut', mode: { kind: 'reset-reply', afterBytes: 1000 }, status: 200, complete: false },
  { name: 'hang: 504 after read_ms', mode: { kind: 'hang' }, status: 504, code: 'TG_UPSTREAM_TIMEOUT', complete: true },
  { name: 'trickle within read_ms: the whole answer, slowly', mode: { kind: 'trickle', bytes: 400, everyMs: 30 }, status: 200, complete: true },
  { name: 'trickle slower than read_ms: 504', mode: { kind: 'trickle', bytes: 1500, everyMs: READ_MS + 400 }, status: 504, code: 'TG_UPSTREAM_TIMEOUT', complete: true },
  { name: 'garbage: 502', mode: { kind: 'garbage', reply: 'SSH-2.0-OpenSSH_9.6\r\n\r\n' }, status: 502, code: 'TG_UPSTREAM_BAD_RESPONSE', complete: true }
]

/** GET through node:http that never rejects: a cut connection is reported as incomplete. */
function get (port: number, path = '/fault'): Promise<Seen> {
  return new Promise((resolve) => {
    let status = 0
    const chunks: Buffer[] = []
    const req = http.request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      status = res.statusCode ?? 0
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status, body: Buffer.concat(chunks).toString(), complete: res.complete }))
      res.on('error', () => resolve({ status, body: Buffer.concat(chunks).toString(), complete: false }))
    })
    req.on('error', () => resolve({ status, body: Buffer.concat(chunks).toString(), complete: false }))
    req.end()
  })
}

function assertRow (row: Row, seen: { status: number, body: string, complete: boolean, requestId?: string }): void {
  assert.equal(seen.status, row.status, row.name)
  assert.equal(seen.complete, row.complete, `${row.name}: complete`)
  if (row.code !== undefined) {
    const error = (JSON.parse(seen.body) as { error: { code: string, request_id: string } }).error
    assert.equal(error.code, row.code)
    assert.match(error.request_id, /^[0-9a-f-]{36}$/)
    if (seen.requestId !== undefined) assert.equal(error.request_id, seen.requestId)
  } else if (row.complete) {
    assert.equal(seen.body, BODY)
  } else {
    // Cut mid-body: part of it arrived, never all of it.
    assert.ok(seen.body.length < BODY.length, `${row.name}: ${seen.body.length} bytes must be fewer than ${BODY.length}`)
  }
}

const upstream = new UpstreamServer((_req, res) => {
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(BODY.length) })
  res.end(BODY)
})
let upstreamPort = 0
before(async () => { upstreamPort = await upstream.listen() })
after(async () => { await upstream.close() })

/** One target, no retries (a row's status must be the fault's own), passive ejection off (rows must not affect each other). */
const service = {
  timeouts: { connect_ms: 1000, send_ms: 1000, read_ms: READ_MS },
  retries: { count: 0 },
  passive_health: { enabled: false }
}

describe('upstream faults through a real gateway process', () => {
  let proxy: FaultProxy
  let gateway: GatewayProcess
  let port: number
  let pidsAtStart: number[]
  let statusPort: number

  before(async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstreamPort })
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess(gatewayConfig({ port, upstreamPort: proxy.port, service, gateway: { status: { host: '127.0.0.1', port: statusPort } } }))
    await gateway.start(2, 60_000)
    pidsAtStart = workerPids(gateway)
    assert.equal(pidsAtStart.length, 2)
  })

  after(async () => {
    await gateway.stop()
    await proxy.close()
  })

  for (const row of ROWS) {
    void test(row.name, async () => {
      await proxy.setMode(row.mode)
      const seen = await get(port)
      proxy.cutAll()
      assertRow(row, seen)
    })
  }

  void test('no worker died: the same worker processes serve, none was restarted', async () => {
    await proxy.setMode({ kind: 'pass' })
    const seen = await get(port)
    assert.equal(seen.status, 200)
    assert.deepEqual(workerPids(gateway), pidsAtStart)
    assert.equal(gateway.lines.filter((line) => line.msg === 'worker exited; restarting').length, 0)
  })

  void test('nothing stays in flight in any worker (GET /status/upstreams)', async () => {
    let last: unknown
    await eventually('both workers report the target idle', async () => {
      last = (await statusRequest(statusPort, '/status/upstreams')).json()
      const report = last as { workers_reporting: number, services: Array<{ targets: Array<{ passive: { in_flight: number } }> }> }
      return report.workers_reporting === 2 && report.services[0]?.targets[0]?.passive.in_flight === 0
    }, 5000).catch((error: Error) => { throw new Error(`${error.message}: ${JSON.stringify(last)}`) })
  })
})

/** The pids of the workers that reported serving a config (the log line the primary prints). */
function workerPids (gateway: GatewayProcess): number[] {
  return [...new Set(gateway.lines.filter((line) => line.msg === 'worker serving config version').map((line) => line.worker as number))].sort()
}

describe('upstream faults in-process: every attempt ends, nothing stays in flight', () => {
  let proxy: FaultProxy
  let gateway: InProcessGateway

  before(async () => {
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: upstreamPort })
    gateway = new InProcessGateway().load({
      services: [{ id: 'svc', targets: [{ host: '127.0.0.1', port: proxy.port }], ...service }],
      routes: [{ id: 'all', service: 'svc', paths: ['/*'] }]
    })
  })

  after(async () => {
    await gateway.close()
    await proxy.close()
  })

  for (const row of ROWS) {
    void test(row.name, async () => {
      await proxy.setMode(row.mode)
      const res = await gateway.inject({ url: '/fault' })
      proxy.cutAll()
      assertRow(row, { status: res.status, body: res.body.toString(), complete: !res.destroyed, requestId: res.headers['x-request-id'] })
      const state = gateway.targets.get(`127.0.0.1:${proxy.port}`)
      assert.equal(state.inFlight, 0, 'in flight')
      assert.equal(state.succeeded + state.failed, state.sent, 'every attempt ended once')
      assert.equal(state.unmatchedEnds, 0)
    })
  }
})

describe('a malformed answer on a keep-alive connection: 502 and that connection is never reused', () => {
  let server: NetServer
  let gateway: InProcessGateway
  const sockets: Socket[] = []
  let connections = 0
  /** Answers the first request with two different Content-Lengths, the next ones properly. */
  let requests = 0

  before(async () => {
    server = createNetServer((socket) => {
      connections++
      sockets.push(socket)
      socket.on('error', () => {})
      socket.on('data', () => {
        requests++
        socket.write(requests === 1
          ? 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!'
          : 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok')
      })
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const serverPort = (server.address() as { port: number }).port
    gateway = new InProcessGateway().load({
      services: [{ id: 'svc', targets: [{ host: '127.0.0.1', port: serverPort }], ...service }],
      routes: [{ id: 'all', service: 'svc', paths: ['/*'] }]
    })
  })

  after(async () => {
    await gateway.close()
    for (const socket of sockets) socket.destroy()
    await new Promise<void>((resolve) => server.close(() => resolve()))
  })

  void test('502 TG_UPSTREAM_BAD_RESPONSE, then the next request opens a new connection', async () => {
    const bad = await gateway.inject({ url: '/a' })
    assert.equal(bad.status, 502)
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'TG_UPSTREAM_BAD_RESPONSE')
    const good = await gateway.inject({ url: '/b' })
    assert.equal(good.status, 200)
    assert.equal(good.body.toString(), 'ok')
    assert.equal(connections, 2)
    // The server side of the first connection was closed by the gateway.
    assert.equal(sockets[0]?.readableEnded || sockets[0]?.destroyed, true)
  })
})
