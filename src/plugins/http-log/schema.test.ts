import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { httpLogSchema } from './schema.js'

const check = compileConfigValidator(httpLogSchema)
const URL = 'https://logs.example.com/v1/ingest?stream=gateway'

function pathsOf (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false, 'config should be rejected')
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('only url is required; everything else gets its default', () => {
  assert.deepEqual(check({ url: URL }), {
    ok: true,
    config: {
      url: URL,
      format: 'json-lines',
      headers: {},
      include_query: false,
      timeout_ms: 10000,
      batch_max_records: 500,
      batch_max_bytes: 1048576,
      flush_interval_ms: 1000,
      max_retries: 5,
      retry_base_ms: 500,
      retry_max_ms: 30000,
      queue_max_records: 10000,
      queue_max_bytes: 8388608,
      drain_timeout_ms: 1500
    }
  })
})

void test('a json-array format, a content type and an authorization header are accepted', () => {
  const result = check({ url: 'http://127.0.0.1:9000/logs', format: 'json-array', content_type: 'application/json; charset=utf-8', headers: { Authorization: 'Bearer abc' } })
  assert.equal(result.ok, true)
})

void test('a missing url is reported at /url', () => {
  assert.deepEqual(pathsOf({}), ['/url'])
})

void test('a url that is not http(s) is rejected at /url', () => {
  assert.deepEqual(pathsOf({ url: 'ftp://logs.example.com/' }), ['/url'])
  assert.deepEqual(pathsOf({ url: 'logs.example.com' }), ['/url'])
  assert.deepEqual(pathsOf({ url: 'http://user:pw@logs.example.com/' }), ['/url'])
})

void test('an unknown format is rejected at /format', () => {
  assert.deepEqual(pathsOf({ url: URL, format: 'csv' }), ['/format'])
})

void test('a header name with a space or a value with a newline is rejected at its path', () => {
  assert.deepEqual(pathsOf({ url: URL, headers: { 'bad name': 'x' } }), ['/headers/bad name'])
  assert.deepEqual(pathsOf({ url: URL, headers: { 'x-token': 'a\r\nx-injected: 1' } }), ['/headers/x-token'])
})

void test('a content type with a newline is rejected at /content_type', () => {
  assert.deepEqual(pathsOf({ url: URL, content_type: 'text/plain\nx: 1' }), ['/content_type'])
})

void test('bounds: batch, queue, retry and timeout fields are checked at their own paths', () => {
  assert.deepEqual(pathsOf({ url: URL, batch_max_records: 0, queue_max_bytes: 10, max_retries: -1, timeout_ms: 50 }),
    ['/batch_max_records', '/max_retries', '/queue_max_bytes', '/timeout_ms'])
  assert.deepEqual(pathsOf({ url: URL, flush_interval_ms: 2.5, retry_base_ms: 0 }), ['/flush_interval_ms', '/retry_base_ms'])
})

void test('unknown properties are rejected at their own path, with the other problems', () => {
  assert.deepEqual(pathsOf({ url: 5, gzip: true }), ['/gzip', '/url'])
})
