// The route's upstream fields: per-route timeout overrides and the retryable flag.
import assert from 'node:assert/strict'
import { test } from 'node:test'
import { validateConfig } from '../validate.js'
import { fakePluginSchema, minimalDocument } from '../testing/fixtures.js'

const options = { file: 'tollgate.yaml', baseDir: '/etc/tollgate', pluginSchema: fakePluginSchema }

void test('a route may override some of its service timeouts and be marked retryable; nothing is filled in', () => {
  const doc = minimalDocument()
  Object.assign(doc.routes[0] as object, { timeouts: { read_ms: 500 }, retryable: true })
  const result = validateConfig(doc, options)
  assert.ok(result.ok)
  assert.deepEqual(result.config.routes[0]?.timeouts, { read_ms: 500 })
  assert.equal(result.config.routes[0]?.retryable, true)
})

void test('a route without overrides has no timeouts and is not retryable', () => {
  const result = validateConfig(minimalDocument(), options)
  assert.ok(result.ok)
  assert.equal(result.config.routes[0]?.timeouts, undefined)
  assert.equal(result.config.routes[0]?.retryable, false)
})

void test('bad route timeouts are refused with their paths', () => {
  const doc = minimalDocument()
  Object.assign(doc.routes[0] as object, { timeouts: { connect_ms: 0, read: 5 }, retryable: 'yes' })
  const result = validateConfig(doc, options)
  assert.equal(result.ok, false)
  const paths = (result as { problems: Array<{ path: string }> }).problems.map((p) => p.path).sort()
  assert.deepEqual(paths, ['/routes/0/retryable', '/routes/0/timeouts/connect_ms', '/routes/0/timeouts/read'])
})

void test('active health checks get their defaults; bad fields are refused with their paths', () => {
  const doc = minimalDocument()
  doc.services[0].health_checks = { active: {} }
  const result = validateConfig(doc, options)
  assert.ok(result.ok)
  assert.deepEqual(result.config.services[0]?.health_checks.active, {
    path: '/health', interval_ms: 5000, timeout_ms: 1000, healthy_threshold: 2, unhealthy_threshold: 3, expected_statuses: [200]
  })
  doc.services[0].health_checks = { active: { path: 'health', interval_ms: 0, expected_statuses: [99], every: 1 } }
  const bad = validateConfig(doc, options)
  assert.equal(bad.ok, false)
  const paths = (bad as { problems: Array<{ path: string }> }).problems.map((p) => p.path).sort()
  assert.deepEqual(paths, ['/services/0/health_checks/active/every', '/services/0/health_checks/active/expected_statuses/0', '/services/0/health_checks/active/interval_ms', '/services/0/health_checks/active/path'])
})
