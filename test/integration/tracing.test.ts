import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { OtlpCollector, spanAttribute } from '../support/otlp-collector.js'
import { eventually, sampleValue, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT_ID = '00f067aa0ba902b7'
const INCOMING = `00-${TRACE_ID}-${PARENT_ID}-01`
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const KEY = 'tracing-key-0000001'
const DEBUG_TOKEN = 'debug-token-for-tests-0001'

function upstreamTraceparent (upstream: UpstreamServer, path: string): RegExpExecArray {
  const seen = upstream.seen.filter((s) => s.url === path).at(-1)
  assert.ok(seen !== undefined, `the upstream saw ${path}`)
  const match = TRACEPARENT.exec(String(seen.headers.traceparent))
  assert.ok(match !== null, `a valid traceparent went upstream: ${String(seen.headers.traceparent)}`)
  return match
}

describe('W3C trace context through a gateway that trusts 127.0.0.1, with OTLP export', () => {
  const upstream = new UpstreamServer()
  const collector = new OtlpCollector()
  let gateway: GatewayProcess
  let port: number
  let statusPort: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    const collectorPort = await collector.listen()
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess({})
    gateway.writeConfig(gatewayConfig({
      port,
      upstreamPort,
      merchants: [{ id: 'm1', credentials: { api_keys: [{ key: KEY }] } }],
      routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }, { id: 'open', service: 'backend', paths: ['/open/*'] }],
      plugins: [{ name: 'key-auth', route: 'api' }, { name: 'access-log', config: { path: join(gateway.dir, 'access.log') } }],
      gateway: {
        trusted_proxies: ['127.0.0.1'],
        status: { port: statusPort },
        tracing: { otlp: { endpoint: `http://127.0.0.1:${collectorPort}/v1/traces`, flush_interval_ms: 200, service_name: 'tollgate-test' } },
        debug_header: { token: DEBUG_TOKEN }
      }
    }))
    await gateway.start(2)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
    await collector.close()
  })

  it('continues an incoming traceparent upstream: same trace id, the gateway span as parent, tracestate kept', async () => {
    const res = await request(port, { path: '/open/continued', headers: { traceparent: INCOMING, tracestate: 'vendor=abc' } })
    assert.equal(res.status, 200)
    const [, traceId, parentId, flags] = upstreamTraceparent(upstream, '/open/continued')
    assert.equal(traceId, TRACE_ID)
    assert.notEqual(parentId, PARENT_ID, 'the upstream sees the gateway span as its parent')
    assert.equal(flags, '01')
    assert.equal(upstream.seen.at(-1)?.headers.tracestate, 'vendor=abc')
  })

  it('replaces an invalid traceparent with a new trace and drops its tracestate', async () => {
    for (const invalid of ['00-zzz', `00-${'0'.repeat(32)}-${PARENT_ID}-01`, `00-${TRACE_ID.toUpperCase()}-${PARENT_ID}-01`, `ff-${TRACE_ID}-${PARENT_ID}-01`]) {
      const path = `/open/invalid-${invalid.length}-${invalid.slice(0, 2)}`
      await request(port, { path, headers: { traceparent: invalid, tracestate: 'vendor=abc' } })
      const [whole, traceId] = upstreamTraceparent(upstream, path)
      assert.notEqual(whole, invalid)
      assert.notEqual(traceId, TRACE_ID, 'a new trace id, not one taken from the invalid header')
      assert.equal(upstream.seen.at(-1)?.headers.tracestate, undefined, 'no tracestate without a continued trace')
    }
  })

  it('starts a trace when none came in, and writes its id into the access log', async () => {
    const res = await request(port, { path: '/open/started' })
    const [, traceId] = upstreamTraceparent(upstream, '/open/started')
    const requestId = String(res.headers['x-request-id'])
    await eventually('the access log has the line', async () => {
      try {
        return readFileSync(join(gateway.dir, 'access.log'), 'utf8').includes(requestId)
      } catch { return false }
    })
    const line = readFileSync(join(gateway.dir, 'access.log'), 'utf8').split('\n').find((l) => l.includes(requestId)) as string
    assert.equal((JSON.parse(line) as { trace_id: string }).trace_id, traceId)
  })

  it('exports one span per request to the collector, with the phases as events', async () => {
    await request(port, { path: '/api/exported', headers: { traceparent: INCOMING, apikey: KEY } })
    const [, , gatewaySpan] = upstreamTraceparent(upstream, '/api/exported')
    await eventually('the collector got the span', async () => collector.spans.some((s) => s.spanId === gatewaySpan))
    const span = collector.spans.find((s) => s.spanId === gatewaySpan)
    assert.ok(span !== undefined)
    assert.equal(span.traceId, TRACE_ID)
    assert.equal(span.parentSpanId, PARENT_ID)
    assert.equal(span.name, 'GET api')
    assert.equal(span.kind, 2)
    assert.equal(spanAttribute(span, 'http.response.status_code'), 200)
    assert.equal(spanAttribute(span, 'tollgate.route'), 'api')
    assert.deepEqual(span.events.map((e) => e.name), ['rewrite', 'access', 'content', 'upstream_response_head'])
    assert.deepEqual(collector.rejected, [])
    assert.ok(JSON.stringify(collector.resources).includes('tollgate-test'))
  })

  it('drops and counts spans while the collector fails, and requests are not affected', async () => {
    collector.failWith = 503
    const before = collector.requests
    try {
      for (let i = 0; i < 4; i++) assert.equal((await request(port, { path: '/open/while-down' })).status, 200)
      await eventually('the failing exports were tried', async () => collector.requests > before)
      await eventually('the drops are counted', async () => {
        const page = (await statusRequest(statusPort, '/metrics')).body.toString()
        return (sampleValue(page, 'tollgate_trace_spans_dropped_total{reason="export-failed"}') ?? 0) >= 1
      })
      await gateway.waitForLog((l) => l.msg === 'span export failed; batch dropped')
    } finally {
      collector.failWith = undefined
    }
  })

  it('answers Server-Timing with per-phase and per-plugin timings for the debug token only', async () => {
    const debugged = await request(port, { path: '/api/debugged', headers: { apikey: KEY, 'x-tollgate-debug': DEBUG_TOKEN } })
    assert.equal(debugged.status, 200)
    const timing = String(debugged.headers['server-timing'])
    for (const name of ['rewrite', 'access', 'content', 'key-auth.access', 'gateway', 'upstream']) {
      assert.match(timing, new RegExp(`(^|, )${name.replace('.', '\\.')};dur=\\d+\\.\\d{3}`), `${name} in ${timing}`)
    }
    assert.equal(upstream.seen.at(-1)?.headers['x-tollgate-debug'], undefined, 'the token never goes upstream')
    const refused = await request(port, { path: '/api/debugged', headers: { apikey: KEY, 'x-tollgate-debug': 'wrong-token-wrong-token' } })
    assert.equal(refused.status, 200)
    assert.equal(refused.headers['server-timing'], undefined)
    const plain = await request(port, { path: '/api/debugged', headers: { apikey: KEY } })
    assert.equal(plain.headers['server-timing'], undefined)
    const generated = await request(port, { path: '/api/debugged', headers: { 'x-tollgate-debug': DEBUG_TOKEN } })
    assert.equal(generated.status, 401)
    assert.match(String(generated.headers['server-timing']), /key-auth\.access;dur=/)
  })
})

describe('W3C trace context from an untrusted peer', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(gatewayConfig({ port, upstreamPort }))
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('is replaced by a new trace, never forwarded', async () => {
    await request(port, { path: '/untrusted', headers: { traceparent: INCOMING, tracestate: 'vendor=abc' } })
    const [, traceId] = upstreamTraceparent(upstream, '/untrusted')
    assert.notEqual(traceId, TRACE_ID)
    assert.equal(upstream.seen.at(-1)?.headers.tracestate, undefined)
  })
})
