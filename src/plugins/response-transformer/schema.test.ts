import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { responseTransformerSchema } from './schema.js'

const check = compileConfigValidator(responseTransformerSchema)
const EMPTY_RULES = { remove: [], rename: [], set: [], add: [] }

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('an empty config gets every default', () => {
  assert.deepEqual(check({}), { ok: true, config: { headers: EMPTY_RULES, body: EMPTY_RULES, max_body_bytes: 1048576 } })
})

void test('a full config is kept as given', () => {
  const config = {
    headers: { remove: ['server'], rename: [{ from: 'x-upstream-id', to: 'x-trace' }], set: [{ name: 'cache-control', value: 'no-store' }], add: [{ name: 'x-api-version', value: '2' }] },
    body: { remove: ['internal'], rename: [{ from: 'data.uid', to: 'data.user_id' }], set: [{ path: 'gateway', value: 'tollgate' }], add: [{ path: 'total', json: '18446744073709551615' }] },
    max_body_bytes: 65536
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('bad rules are rejected at their exact paths', () => {
  assert.deepEqual(paths({ headers: { rename: [{ from: 'a b', to: 'ok' }] }, body: { remove: ['x['], add: [{ path: 'y', json: 'nope' }] }, query: {} }), [
    '/body/add/0/json', '/body/remove/0', '/headers/rename/0/from', '/query'
  ])
})

void test('a cap past 64 MiB is rejected', () => {
  assert.deepEqual(paths({ max_body_bytes: 64 * 1024 * 1024 + 1 }), ['/max_body_bytes'])
})
