import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { eventually, sampleValue, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const KEY = 'metrics-key-000001'
const api = (cls: string): string => `tollgate_requests_total{route="api",service="backend",status_class="${cls}"}`
const durationCount = 'tollgate_request_duration_seconds_count{route="api",service="backend"}'
const upstreamCount = 'tollgate_upstream_duration_seconds_count{route="api",service="backend"}'
const notFound = 'tollgate_requests_total{route="(none)",service="(none)",status_class="4xx"}'

interface StatusBody { workers: Array<{ pid: number | null, listening: boolean, restarts: number }> }

/** Sends `count` requests, each on its own connection so both workers get some. */
async function send (port: number, count: number, options: { path: string, headers?: Record<string, string>, method?: string, body?: string }, status: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const res = await request(port, options)
    assert.equal(res.status, status, `${options.path}: ${res.body.toString()}`)
  }
}

describe('/metrics sums the workers of a node (2 workers)', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let statusPort: number

  async function scrape (): Promise<string> {
    const res = await statusRequest(statusPort, '/metrics')
    assert.equal(res.status, 200)
    assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/)
    return res.body.toString()
  }

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      merchants: [{ id: 'm1', credentials: { api_keys: [{ key: KEY }] } }],
      routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }],
      plugins: [{ name: 'key-auth', route: 'api' }],
      // A long push interval: the counts below must come from the scrape's own round trip.
      gateway: { status: { port: statusPort }, metrics: { push_interval_ms: 60_000 } }
    }))
    await gateway.start(2)
    await gateway.waitForLog((l) => l.msg === 'status listener up')
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('reports exactly the requests sent, by route, service and status class', async () => {
    await send(port, 12, { path: '/api/orders', headers: { apikey: KEY } }, 200)
    await send(port, 5, { path: '/api/orders' }, 401)
    await send(port, 3, { path: '/elsewhere' }, 404)
    await send(port, 4, { path: '/api/orders', method: 'POST', headers: { apikey: KEY, 'content-type': 'text/plain' }, body: 'x'.repeat(100) }, 200)
    const page = await scrape()
    assert.equal(sampleValue(page, api('2xx')), 16)
    assert.equal(sampleValue(page, api('4xx')), 5)
    assert.equal(sampleValue(page, notFound), 3)
    assert.equal(sampleValue(page, durationCount), 21)
    assert.equal(sampleValue(page, upstreamCount), 16, 'only requests that reached the upstream')
    assert.equal(sampleValue(page, 'tollgate_request_body_bytes_total{route="api",service="backend"}'), 400)
    assert.equal(sampleValue(page, 'tollgate_request_duration_seconds_bucket{route="api",service="backend",le="+Inf"}'), 21)
    // Both workers took part (each request came on a new connection) and report per-slot gauges.
    assert.ok(sampleValue(page, 'tollgate_worker_heap_used_bytes{worker="0"}') !== undefined)
    assert.ok(sampleValue(page, 'tollgate_worker_heap_used_bytes{worker="1"}') !== undefined)
    assert.equal(sampleValue(page, 'tollgate_config_version'), 1)
    assert.equal(sampleValue(page, 'tollgate_upstream_target_in_flight{service="backend",target="' + `127.0.0.1:${upstream.port}` + '"}'), 0)
  })

  it('keeps node totals when a worker is killed and restarted, and counts on from there', async () => {
    const before = await scrape()
    const ok = sampleValue(before, api('2xx')) as number
    const denied = sampleValue(before, api('4xx')) as number
    const status = (await statusRequest(statusPort, '/status')).json() as StatusBody
    const victim = status.workers[1]?.pid as number
    process.kill(victim, 'SIGKILL')
    await eventually('the killed worker is replaced and serving', async () => {
      const body = (await statusRequest(statusPort, '/status')).json() as StatusBody
      return body.workers.every((w) => w.listening && w.pid !== victim) && body.workers[1]?.restarts === 1
    })
    const afterRestart = await scrape()
    assert.equal(sampleValue(afterRestart, api('2xx')), ok, 'no total went down')
    assert.equal(sampleValue(afterRestart, api('4xx')), denied)
    assert.equal(sampleValue(afterRestart, 'tollgate_worker_restarts_total{worker="1"}'), 1)
    await send(port, 6, { path: '/api/more', headers: { apikey: KEY } }, 200)
    const later = await scrape()
    assert.equal(sampleValue(later, api('2xx')), ok + 6)
    assert.equal(sampleValue(later, durationCount), ok + denied + 6)
  })
})
