import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { rateLimitSchema } from './schema.js'

const check = compileConfigValidator(rateLimitSchema)

function pathsOf (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false, 'config should be rejected')
  // One value may break several rules (0.5 is below 1 and not an integer): paths once each.
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('the limit shorthand alone is enough; everything else gets its default', () => {
  assert.deepEqual(check({ limit: 100 }), {
    ok: true,
    config: { limit: 100, window_seconds: 60, window: 'sliding', key_by: ['merchant'], policy: 'local', headers: true }
  })
})

void test('a list of limits alone is enough', () => {
  const config = { limits: [{ limit: 100, per: 'second' }, { limit: 1_000_000, per: 'month' }] }
  assert.equal(check(config).ok, true)
})

void test('every field may be given', () => {
  const config = {
    limit: 5,
    window_seconds: 1,
    limits: [{ limit: 10, per: 'minute' }, { limit: 100, per: 'hour' }, { limit: 1000, per: 'day' }],
    window: 'fixed',
    key_by: ['merchant', 'route', 'service', 'ip', 'header:X-Tenant-Id'],
    policy: 'cluster',
    headers: false
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('neither limit nor limits: both paths are named', () => {
  assert.deepEqual(pathsOf({}), ['', '/limit', '/limits'])
})

void test('limit must be an integer of at least 1', () => {
  assert.deepEqual(pathsOf({ limit: 0 }), ['/limit'])
  assert.deepEqual(pathsOf({ limit: 1.5 }), ['/limit'])
  assert.deepEqual(pathsOf({ limit: '10' }), ['/limit'])
})

void test('a bad entry of limits is reported at its index', () => {
  assert.deepEqual(pathsOf({ limits: [{ limit: 1, per: 'second' }, { limit: 0, per: 'week' }] }), ['/limits/1/limit', '/limits/1/per'])
  assert.deepEqual(pathsOf({ limits: [{ per: 'second' }] }), ['/limits/0/limit'])
  assert.deepEqual(pathsOf({ limits: [{ limit: 1, per: 'second', burst: 2 }] }), ['/limits/0/burst'])
})

void test('an empty limits list is rejected', () => {
  assert.deepEqual(pathsOf({ limits: [] }), ['/limits'])
})

void test('window_seconds must be a positive integer', () => {
  assert.deepEqual(pathsOf({ limit: 1, window_seconds: 0 }), ['/window_seconds'])
  assert.deepEqual(pathsOf({ limit: 1, window_seconds: 0.5 }), ['/window_seconds'])
})

void test('an unknown window kind is one problem at /window', () => {
  assert.deepEqual(pathsOf({ limit: 1, window: 'rolling' }), ['/window'])
})

void test('key_by parts: unknown names, a header without a name and repeats are rejected at their path', () => {
  assert.deepEqual(pathsOf({ limit: 1, key_by: ['merchant', 'consumer'] }), ['/key_by/1'])
  assert.deepEqual(pathsOf({ limit: 1, key_by: ['header:'] }), ['/key_by/0'])
  assert.deepEqual(pathsOf({ limit: 1, key_by: ['header:bad name'] }), ['/key_by/0'])
  assert.deepEqual(pathsOf({ limit: 1, key_by: ['ip', 'ip'] }), ['/key_by'])
  assert.deepEqual(pathsOf({ limit: 1, key_by: [] }), ['/key_by'])
  assert.deepEqual(pathsOf({ limit: 1, key_by: 'merchant' }), ['/key_by'])
})

void test('policies are local and cluster', () => {
  assert.deepEqual(pathsOf({ limit: 1, policy: 'redis' }), ['/policy'])
})

void test('headers must be a boolean', () => {
  assert.deepEqual(pathsOf({ limit: 1, headers: 'yes' }), ['/headers'])
})

void test('an unknown property is rejected at its own path, with the other problems', () => {
  assert.deepEqual(pathsOf({ limit: -1, limit_by: 'merchant' }), ['/limit', '/limit_by'])
})
