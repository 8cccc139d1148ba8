import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { idempotencySchema } from './schema.js'

const check = compileConfigValidator(idempotencySchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('an empty config gets every default', () => {
  assert.deepEqual(check({}), {
    ok: true,
    config: {
      header: 'idempotency-key',
      replay_header: 'idempotent-replayed',
      methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
      ttl_seconds: 86400,
      lock_ttl_ms: 60000,
      max_key_length: 255,
      max_request_body_bytes: 1048576,
      max_response_bytes: 1048576,
      store_statuses: ['2xx', '4xx'],
      skip_statuses: [408, 409, 425, 429],
      without_merchant: 'client-ip',
      redis_failure: 'open',
      max_worker_bytes: 67108864
    }
  })
})

void test('a full config is kept as given', () => {
  const config = {
    header: 'X-Request-Key',
    replay_header: 'X-Replayed',
    methods: ['POST'],
    ttl_seconds: 600,
    lock_ttl_ms: 5000,
    max_key_length: 64,
    max_request_body_bytes: 0,
    max_response_bytes: 4096,
    store_statuses: ['201', '2xx', '422'],
    skip_statuses: [],
    without_merchant: 'refuse',
    redis_failure: 'closed',
    max_worker_bytes: 1048576
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('bad values are rejected at their exact paths', () => {
  assert.deepEqual(paths({
    header: 'bad header', methods: ['GET', 'POST'], ttl_seconds: 0, lock_ttl_ms: 10, store_statuses: ['2xx', '6xx', '20'],
    skip_statuses: [99], without_merchant: 'anyone', redis_failure: 'maybe', extra: true
  }), ['/extra', '/header', '/lock_ttl_ms', '/methods/0', '/redis_failure', '/skip_statuses/0', '/store_statuses/1', '/store_statuses/2', '/ttl_seconds', '/without_merchant'])
})

void test('an empty method list is rejected', () => {
  assert.deepEqual(paths({ methods: [] }), ['/methods'])
})
