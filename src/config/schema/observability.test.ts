import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema } from '../testing/fixtures.js'

const options = { file: 'tollgate.yaml', baseDir: '/etc/tollgate', pluginSchema: fakePluginSchema }
const TOKEN = 'a-status-token-of-32-characters!'

function problemsOf (result: ValidationResult): Array<[string, string]> {
  return result.ok ? [] : result.problems.map((p) => [p.path, p.reason])
}

function gatewayOf (result: ValidationResult): Record<string, unknown> {
  if (!result.ok) assert.fail(JSON.stringify(result.problems))
  return result.config.gateway as unknown as Record<string, unknown>
}

void test('the status listener is off by default; metrics and tracing sections get their defaults', () => {
  const gateway = gatewayOf(validateConfig({}, options))
  assert.equal(gateway.status, undefined)
  assert.equal(gateway.debug_header, undefined)
  assert.deepEqual(gateway.metrics, { enabled: true, push_interval_ms: 1000, merchant_label_cap: 0 })
  assert.deepEqual(gateway.tracing, { enabled: true, trust_incoming_from_any: false })
})

void test('an empty status section binds 127.0.0.1:9180 without a token', () => {
  const gateway = gatewayOf(validateConfig({ gateway: { status: {} } }, options))
  assert.deepEqual(gateway.status, { host: '127.0.0.1', port: 9180 })
})

void test('a status listener on a non-loopback address needs a token', () => {
  assert.deepEqual(problemsOf(validateConfig({ gateway: { status: { host: '0.0.0.0' } } }, options)), [
    ['/gateway/status/token', 'is required when the status listener binds a non-loopback address (0.0.0.0)']
  ])
  gatewayOf(validateConfig({ gateway: { status: { host: '0.0.0.0', token: TOKEN } } }, options))
  gatewayOf(validateConfig({ gateway: { status: { host: '::1' } } }, options))
})

void test('a short token, an unknown field and a bad port are reported with their paths', () => {
  const problems = problemsOf(validateConfig({ gateway: { status: { token: 'short', port: 70000, bind: 'x' } } }, options))
  assert.deepEqual(problems.map(([path]) => path).sort(), ['/gateway/status/bind', '/gateway/status/port', '/gateway/status/token'])
})

void test('the debug header name is lower-cased and needs a token', () => {
  const gateway = gatewayOf(validateConfig({ gateway: { debug_header: { header: 'X-Debug', token: TOKEN } } }, options))
  assert.deepEqual(gateway.debug_header, { header: 'x-debug', token: TOKEN })
  assert.deepEqual(problemsOf(validateConfig({ gateway: { debug_header: {} } }, options)).map(([path]) => path), ['/gateway/debug_header/token'])
})

void test('an OTLP endpoint gets batch defaults; a non-http endpoint is refused', () => {
  const gateway = gatewayOf(validateConfig({ gateway: { tracing: { otlp: { endpoint: 'http://127.0.0.1:4318/v1/traces' } } } }, options))
  assert.deepEqual((gateway.tracing as Record<string, unknown>).otlp, {
    endpoint: 'http://127.0.0.1:4318/v1/traces', headers: {}, batch_size: 256, queue_size: 4096, flush_interval_ms: 1000, timeout_ms: 5000, service_name: 'tollgate'
  })
  assert.deepEqual(problemsOf(validateConfig({ gateway: { tracing: { otlp: { endpoint: 'ftp://x/y' } } } }, options)).map(([path]) => path), ['/gateway/tracing/otlp/endpoint'])
})

void test('metrics push interval and merchant cap are bounded', () => {
  const problems = problemsOf(validateConfig({ gateway: { metrics: { push_interval_ms: 0, merchant_label_cap: -1 } } }, options))
  assert.deepEqual(problems.map(([path]) => path).sort(), ['/gateway/metrics/merchant_label_cap', '/gateway/metrics/push_interval_ms'])
})
