import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { LogCollector, waitUntil } from '../support/log-collector.js'
import { eventually, sampleValue, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const routes = [
  { id: 'all', service: 'backend', paths: ['/*'] },
  { id: 'held', service: 'backend', paths: ['/held/*'] }
]

describe('http-log of a running gateway', () => {
  const upstream = new UpstreamServer()
  const collector = new LogCollector()
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    await collector.listen()
    port = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      routes,
      plugins: [
        // Global: every record posted on its own, at once; retries come quickly.
        { name: 'http-log', config: { url: collector.url('/logs'), batch_max_records: 1, retry_base_ms: 10, retry_max_ms: 50, headers: { authorization: 'Bearer it-token' } } },
        // The route binding replaces the global one on /held/*: records wait for the interval (or a drain).
        { name: 'http-log', route: 'held', config: { url: collector.url('/held'), flush_interval_ms: 60_000, format: 'json-array' } }
      ]
    }))
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
    await collector.close()
  })

  const recordsAt = (path: string) => collector.batches.filter((batch) => batch.path === path).flatMap((batch) => batch.records)

  it('posts each request as the access-log record: request id, trace id, route, timings per phase', async () => {
    const res = await request(port, { path: '/orders/1?page=2', headers: { 'user-agent': 'it/1' } })
    assert.equal(res.status, 200)
    const id = String(res.headers['x-request-id'])
    await waitUntil('the record arrived', () => recordsAt('/logs').some((r) => r.request_id === id))
    const record = recordsAt('/logs').find((r) => r.request_id === id) as Record<string, unknown>
    const traceparent = String(upstream.seen.at(-1)?.headers.traceparent)
    assert.equal(record.trace_id, traceparent.split('-')[1], 'the trace id sent upstream')
    assert.deepEqual([record.method, record.path, record.status, record.route, record.service, record.user_agent, record.attempts, record.upstream_status],
      ['GET', '/orders/1', 200, 'all', 'backend', 'it/1', 1, 200])
    assert.equal('query' in record, false)
    assert.deepEqual(Object.keys(record.phase_ms as object), ['rewrite', 'access', 'content'])
    assert.equal(typeof record.duration_ms, 'number')
    const batch = collector.batches.find((b) => b.records.includes(record))
    assert.equal(batch?.headers.authorization, 'Bearer it-token')
    assert.equal(batch?.contentType, 'application/x-ndjson')
  })

  it('a collector answering 500 then 200: the batch is retried and every record arrives once', async () => {
    collector.failNext(500, 502)
    const ids: string[] = []
    for (let i = 0; i < 3; i++) ids.push(String((await request(port, { path: `/retry/${i}` })).headers['x-request-id']))
    await waitUntil('every record arrived', () => ids.every((id) => recordsAt('/logs').some((r) => r.request_id === id)))
    for (const id of ids) assert.equal(recordsAt('/logs').filter((r) => r.request_id === id).length, 1, `${id} once`)
  })

  it('a collector that stored a batch and lost the answer gets the retry with the same batch id', async () => {
    collector.storeThenDropNext()
    const id = String((await request(port, { path: '/twice' })).headers['x-request-id'])
    const copies = () => collector.batches.filter((b) => b.records.some((r) => r.request_id === id))
    await waitUntil('the retry arrived', () => copies().length === 2)
    const [stored, retried] = copies()
    assert.deepEqual([stored?.status, retried?.status], [0, 200])
    assert.equal(retried?.headers['x-tollgate-batch-id'], stored?.headers['x-tollgate-batch-id'])
    const ids = collector.batches.filter((b) => b.path === '/logs' && b.status === 200).map((b) => b.headers['x-tollgate-batch-id'])
    assert.equal(new Set(ids).size, ids.length, 'accepted batches all have different ids')
  })

  it('records of a route binding wait for their batch; the drain of a graceful stop sends them', async () => {
    const held: string[] = []
    for (let i = 0; i < 3; i++) held.push(String((await request(port, { path: `/held/${i}` })).headers['x-request-id']))
    // A later request of the global binding arrives: the held ones were logged before it, but wait.
    const marker = String((await request(port, { path: '/marker' })).headers['x-request-id'])
    await waitUntil('the marker arrived', () => recordsAt('/logs').some((r) => r.request_id === marker))
    assert.equal(recordsAt('/held').length, 0)
    assert.ok(!recordsAt('/logs').some((r) => held.includes(String(r.request_id))), 'the route binding replaced the global one')
    assert.equal(await gateway.stop(), 0)
    assert.deepEqual(recordsAt('/held').map((r) => r.request_id), held)
    assert.equal(collector.batches.find((b) => b.path === '/held')?.contentType, 'application/json')
  })
})

describe('http-log with a collector that hangs', () => {
  const upstream = new UpstreamServer()
  const collector = new LogCollector()
  let gateway: GatewayProcess
  let port: number
  let statusPort: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    await collector.listen()
    collector.hang = true
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      gateway: { status: { port: statusPort }, metrics: { push_interval_ms: 200 } },
      plugins: [{ name: 'http-log', config: { url: collector.url('/logs'), batch_max_records: 1, queue_max_records: 5, timeout_ms: 60_000, drain_timeout_ms: 200 } }]
    }))
    await gateway.start(1)
    await gateway.waitForLog((l) => l.msg === 'status listener up')
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
    await collector.close()
  })

  it('requests are answered while the collector hangs; the queue stays bounded and drops are counted', async () => {
    for (let i = 0; i < 30; i++) {
      const res = await request(port, { path: `/hung/${i}` })
      assert.equal(res.status, 200)
    }
    // Every request above completed while the first batch's POST was still unanswered.
    assert.equal(collector.hungRequests, 1)
    assert.equal(collector.records.length, 0)
    // 30 records: 1 in the hung POST, 5 queued, 24 dropped.
    await eventually('the drops are in /metrics', async () => {
      const page = (await statusRequest(statusPort, '/metrics')).body.toString()
      return sampleValue(page, 'tollgate_http_log_dropped_records_total{reason="queue-full"}') === 24
    })
  })

  it('a graceful stop waits for a hanging collector only drain_timeout_ms, and logs what it could not send', async () => {
    assert.equal(await gateway.stop(), 0)
    const warning = gateway.lines.find((l) => String(l.msg).startsWith('http-log: records not sent before the drain deadline'))
    assert.equal(warning?.records, 6, '1 in the hung POST + 5 queued')
  })
})
