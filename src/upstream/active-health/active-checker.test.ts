// The primary's active checks against real HTTP servers on loopback whose health path changes.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, test } from 'node:test'
import { validateConfig } from '../../config/validate.js'
import type { GatewayConfig } from '../../config/gateway-config.js'
import { silentLogger } from '../../observability/log.js'
import { DnsResponder } from '../../../test/support/dns-responder.js'
import { UpstreamHealth, type TargetHealthMessage } from './upstream-health.js'

const servers: http.Server[] = []
after(() => { for (const server of servers) { server.closeAllConnections(); server.close() } })

/** A server whose /health answers `status.code`; counts the checks. */
async function healthServer (): Promise<{ port: number, status: { code: number }, checks: string[] }> {
  const status = { code: 200 }
  const checks: string[] = []
  const server = http.createServer((req, res) => {
    checks.push(`${req.url ?? ''} ${req.headers.host ?? ''}`)
    res.writeHead(req.url === '/health' ? status.code : 404)
    res.end()
  })
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { port: (server.address() as AddressInfo).port, status, checks }
}

function config (ports: number[], active: Record<string, unknown> | undefined): GatewayConfig {
  const result = validateConfig({
    services: [{ id: 'svc', targets: ports.map((port) => ({ host: '127.0.0.1', port })), ...(active === undefined ? {} : { health_checks: { active } }) }]
  }, { file: 'test', baseDir: process.cwd(), pluginSchema: () => undefined })
  assert.ok(result.ok)
  return result.config
}

async function until (condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

const fast = { interval_ms: 30, timeout_ms: 500, healthy_threshold: 2, unhealthy_threshold: 2 }

void test('a target whose health path fails is reported down, then up when it passes again', async () => {
  const a = await healthServer()
  const b = await healthServer()
  const verdicts: TargetHealthMessage[] = []
  const health = new UpstreamHealth(config([a.port, b.port], fast), (m) => verdicts.push(m), silentLogger)
  try {
    b.status.code = 503
    await until(() => verdicts.length === 1)
    assert.deepEqual(verdicts[0], { type: 'target-health', serviceId: 'svc', targetId: `127.0.0.1:${b.port}`, healthy: false })
    const report = health.report()
    const targets = report.services[0]?.targets ?? []
    assert.deepEqual(targets.map((t) => t.state), ['healthy', 'unhealthy'])
    assert.equal(targets[1]?.active?.last_error, 'status 503')
    assert.ok((targets[1]?.active?.consecutive_failures ?? 0) >= 2)
    // A worker starting now hears of the target down.
    const greeted: TargetHealthMessage[] = []
    health.greet((m) => greeted.push(m))
    assert.deepEqual(greeted, [verdicts[0]])
    b.status.code = 200
    await until(() => verdicts.length === 2)
    assert.equal(verdicts[1]?.healthy, true)
    assert.equal(health.report().services[0]?.targets[1]?.state, 'healthy')
    assert.ok(a.checks.every((line) => line === `/health 127.0.0.1:${a.port}`))
  } finally {
    health.stop()
  }
})

void test('a status outside expected_statuses fails a check; the configured host header is sent', async () => {
  const a = await healthServer()
  a.status.code = 204
  const verdicts: TargetHealthMessage[] = []
  const health = new UpstreamHealth(config([a.port], { ...fast, expected_statuses: [204], host: 'api.internal' }), (m) => verdicts.push(m), silentLogger)
  try {
    await until(() => a.checks.length >= 3)
    assert.equal(verdicts.length, 0)
    assert.equal(a.checks[0], '/health api.internal')
    a.status.code = 200
    await until(() => verdicts.length === 1)
    assert.equal(verdicts[0]?.healthy, false)
  } finally {
    health.stop()
  }
})

void test('a reload that drops a down target reports it up, so no worker keeps it out', async () => {
  const a = await healthServer()
  const b = await healthServer()
  b.status.code = 500
  const verdicts: TargetHealthMessage[] = []
  const health = new UpstreamHealth(config([a.port, b.port], fast), (m) => verdicts.push(m), silentLogger)
  try {
    await until(() => verdicts.length === 1)
    health.update(config([a.port], fast))
    assert.deepEqual(verdicts.at(-1), { type: 'target-health', serviceId: 'svc', targetId: `127.0.0.1:${b.port}`, healthy: true })
    health.update(config([a.port], undefined))
    assert.equal(health.report().services[0]?.active_checks, false)
    assert.equal(health.report().services[0]?.targets[0]?.active, null)
  } finally {
    health.stop()
  }
})

void test('the report sums the passive states the workers sent', () => {
  const health = new UpstreamHealth(config([1111, 2222], undefined), () => {}, silentLogger)
  health.onWorkerStates(10, [{ id: '127.0.0.1:1111', ejected_for_ms: 20_000, ejections: 1, consecutive_failures: 0, in_flight: 2, requests: 40 }])
  health.onWorkerStates(11, [{ id: '127.0.0.1:1111', ejected_for_ms: 0, ejections: 0, consecutive_failures: 3, in_flight: 1, requests: 2 }])
  const [first, second] = health.report().services[0]?.targets ?? []
  assert.equal(first?.state, 'ejected')
  assert.deepEqual(first?.passive, { ejected_in_workers: 1, longest_ejection_left_ms: 20_000, consecutive_failures_max: 3, in_flight: 3, requests: 42 })
  assert.equal(second?.state, 'healthy')
  health.onWorkerExit(10)
  assert.equal(health.report().workers_reporting, 1)
  assert.equal(health.report().services[0]?.targets[0]?.state, 'healthy')
})

void test('a host name is checked at the address it resolves to, with the name as Host; checks follow a DNS change', async () => {
  const responder = new DnsResponder()
  const dnsServer = await responder.listen()
  const a = await healthServer()
  responder.set('checked.test', [{ address: '127.0.0.1', ttlSeconds: 1 }])
  const result = validateConfig({
    gateway: { dns: { servers: [dnsServer], timeout_ms: 300, tries: 1 } },
    services: [{ id: 'svc', targets: [{ host: 'checked.test', port: a.port }], dns: { ttl_min_s: 1 }, health_checks: { active: fast } }]
  }, { file: 'test', baseDir: process.cwd(), pluginSchema: () => undefined })
  assert.ok(result.ok)
  const verdicts: TargetHealthMessage[] = []
  const health = new UpstreamHealth(result.config, (m) => verdicts.push(m), silentLogger)
  try {
    await until(() => a.checks.includes(`/health checked.test:${a.port}`))
    assert.deepEqual(health.report().services[0]?.targets.map((t) => [t.address, t.host_name]), [[`127.0.0.1:${a.port}`, 'checked.test']])
    a.status.code = 503
    await until(() => verdicts.length === 1)
    assert.deepEqual(verdicts[0], { type: 'target-health', serviceId: 'svc', targetId: `127.0.0.1:${a.port}`, healthy: false })
    // The name moves to an address nothing listens on: the down address is dropped and reported up.
    responder.set('checked.test', [{ address: '127.0.0.3', ttlSeconds: 1 }])
    await until(() => verdicts.length === 2, 10_000)
    assert.deepEqual(verdicts[1], { type: 'target-health', serviceId: 'svc', targetId: `127.0.0.1:${a.port}`, healthy: true })
    assert.deepEqual(health.report().services[0]?.targets.map((t) => t.address), [`127.0.0.3:${a.port}`])
  } finally {
    health.stop()
    await responder.close()
  }
})

void test('a TLS file gone since the config was validated leaves the service unchecked, logged at error, and the primary running', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-checker-'))
  const a = await healthServer()
  // Validation only checks the CA file can be read; it is gone before the primary reads it.
  writeFileSync(join(dir, 'ca.pem'), '')
  const result = validateConfig({
    services: [{ id: 'svc', targets: [{ host: '127.0.0.1', port: a.port }], tls: { ca_file: 'ca.pem' }, health_checks: { active: { ...fast, https: true } } }]
  }, { file: 'test', baseDir: dir, pluginSchema: () => undefined })
  assert.ok(result.ok)
  rmSync(dir, { recursive: true, force: true })
  const errors: Array<{ obj: object, msg: string | undefined }> = []
  const log = { ...silentLogger, error: (obj: object, msg?: string) => { errors.push({ obj, msg }) } }
  const health = new UpstreamHealth(result.config, () => {}, log)
  try {
    assert.equal(errors.length, 1)
    assert.equal(errors[0]?.msg, "active checks not started: the service's TLS settings cannot be loaded")
    assert.match(String((errors[0]?.obj as { error?: string }).error), /ENOENT/)
    assert.equal(health.report().services[0]?.targets[0]?.active, null)
    health.update(result.config)
    assert.equal(errors.length, 1, 'the same config version is not tried again')
  } finally {
    health.stop()
  }
})
