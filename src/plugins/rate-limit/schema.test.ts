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

void test('only limit is required; everything else gets its default', () => {
  assert.deepEqual(check({ limit: 100 }), {
    ok: true,
    config: { limit: 100, window_seconds: 60, window: 'sliding', limit_by: 'merchant', policy: 'local', headers: true }
  })
})

void test('every field may be given', () => {
  const config = { limit: 5, window_seconds: 1, window: 'fixed', limit_by: 'merchant+route', policy: 'local', headers: false }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('a missing limit is reported at /limit', () => {
  assert.deepEqual(pathsOf({}), ['/limit'])
})

void test('limit must be an integer of at least 1', () => {
  assert.deepEqual(pathsOf({ limit: 0 }), ['/limit'])
  assert.deepEqual(pathsOf({ limit: 1.5 }), ['/limit'])
  assert.deepEqual(pathsOf({ limit: '10' }), ['/limit'])
})

void test('window_seconds must be a positive integer', () => {
  assert.deepEqual(pathsOf({ limit: 1, window_seconds: 0 }), ['/window_seconds'])
  assert.deepEqual(pathsOf({ limit: 1, window_seconds: 0.5 }), ['/window_seconds'])
})

void test('an unknown window kind is one problem at /window', () => {
  assert.deepEqual(pathsOf({ limit: 1, window: 'rolling' }), ['/window'])
})

void test('an unknown limit_by is rejected at /limit_by', () => {
  assert.deepEqual(pathsOf({ limit: 1, limit_by: 'consumer' }), ['/limit_by'])
})

void test('policies other than local are not accepted yet', () => {
  assert.deepEqual(pathsOf({ limit: 1, policy: 'redis' }), ['/policy'])
})

void test('headers must be a boolean', () => {
  assert.deepEqual(pathsOf({ limit: 1, headers: 'yes' }), ['/headers'])
})

void test('an unknown property is rejected at its own path, with the other problems', () => {
  assert.deepEqual(pathsOf({ limit: -1, per: 'minute' }), ['/limit', '/per'])
})
