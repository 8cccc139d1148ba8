import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { accessLogSchema } from './schema.js'

const check = compileConfigValidator(accessLogSchema)

function pathsOf (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false, 'config should be rejected')
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('only path is required; everything else gets its default', () => {
  assert.deepEqual(check({ path: '/var/log/tollgate/access.log' }), {
    ok: true,
    config: {
      path: '/var/log/tollgate/access.log',
      include_query: false,
      buffer_bytes: 65536,
      flush_interval_ms: 1000,
      max_pending_bytes: 8388608,
      max_bytes: 0,
      keep: 5
    }
  })
})

void test('"-" is a valid path (stdout)', () => {
  assert.equal(check({ path: '-' }).ok, true)
})

void test('a missing path is reported at /path', () => {
  assert.deepEqual(pathsOf({}), ['/path'])
})

void test('an empty path is rejected at /path', () => {
  assert.deepEqual(pathsOf({ path: '' }), ['/path'])
})

void test('buffer_bytes below 1 KiB is rejected at /buffer_bytes', () => {
  assert.deepEqual(pathsOf({ path: '-', buffer_bytes: 100 }), ['/buffer_bytes'])
})

void test('flush_interval_ms must be an integer within bounds', () => {
  assert.deepEqual(pathsOf({ path: '-', flush_interval_ms: 0 }), ['/flush_interval_ms'])
  assert.deepEqual(pathsOf({ path: '-', flush_interval_ms: 2.5 }), ['/flush_interval_ms'])
})

void test('max_pending_bytes must be a number', () => {
  assert.deepEqual(pathsOf({ path: '-', max_pending_bytes: '8M' }), ['/max_pending_bytes'])
})

void test('include_query must be a boolean', () => {
  assert.deepEqual(pathsOf({ path: '-', include_query: 'no' }), ['/include_query'])
})

void test('unknown properties are rejected at their own path, with the other problems', () => {
  assert.deepEqual(pathsOf({ path: 5, format: 'json' }), ['/format', '/path'])
})

void test('rotation settings: max_bytes 0 (off) or a size, keep 1 to 100, rejected at their paths otherwise', () => {
  assert.deepEqual(pathsOf({ path: 'a.log', max_bytes: -1, keep: 0 }), ['/keep', '/max_bytes'])
  assert.deepEqual(pathsOf({ path: 'a.log', keep: 101 }), ['/keep'])
})
