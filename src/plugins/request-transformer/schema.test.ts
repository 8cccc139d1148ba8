import assert from 'node:assert/strict'
import { test } from 'node:test'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { requestTransformerSchema } from './schema.js'

const check = compileConfigValidator(requestTransformerSchema)
const EMPTY_RULES = { remove: [], rename: [], set: [], add: [] }

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('an empty config gets every default: no rule, a 1 MiB body cap', () => {
  assert.deepEqual(check({}), { ok: true, config: { headers: EMPTY_RULES, query: EMPTY_RULES, body: EMPTY_RULES, max_body_bytes: 1048576 } })
})

void test('a full config is kept as given', () => {
  const config = {
    headers: { remove: ['X-Debug'], rename: [{ from: 'x-old', to: 'x-new' }], set: [{ name: 'x-env', value: 'prod' }], add: [{ name: 'x-source', value: 'gw/1' }] },
    query: { remove: ['debug'], rename: [{ from: 'q', to: 'query' }], set: [{ name: 'v', value: '2' }], add: [{ name: 'lang', value: 'zh CN' }] },
    body: {
      remove: ['password', 'items[0].secret', 'meta["a.b"]'],
      rename: [{ from: 'user.nick', to: 'user.nickname' }],
      set: [{ path: 'source', value: { via: 'gateway', tags: [1, true, null] } }, { path: 'id', json: '12345678901234567890' }],
      add: [{ path: 'version', value: 2 }]
    },
    max_body_bytes: 4096
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('bad header names and values are rejected at their paths', () => {
  assert.deepEqual(paths({ headers: { remove: ['bad name'], set: [{ name: 'x-a', value: 'line\r\nbreak' }], add: [{ name: 'x-b' }] } }), [
    '/headers/add/0/value', '/headers/remove/0', '/headers/set/0/value'
  ])
})

void test('bad body paths are rejected at their index', () => {
  assert.deepEqual(paths({ body: { remove: ['ok.path', 'a..b', 'a[-1]'], rename: [{ from: 'a', to: '.b' }] } }), [
    '/body/remove/1', '/body/remove/2', '/body/rename/0/to'
  ])
})

void test('a body value needs exactly one of value and json, and json must be JSON text', () => {
  // Neither: reported at the item and at both missing fields; both: at the item.
  assert.deepEqual(paths({ body: { set: [{ path: 'a' }, { path: 'b', value: 1, json: '1' }, { path: 'c', json: '{"x":1,}' }] } }), [
    '/body/set/0', '/body/set/0/json', '/body/set/0/value', '/body/set/1', '/body/set/2/json'
  ])
})

void test('unknown fields and a cap out of range are rejected at their paths', () => {
  assert.deepEqual(paths({ max_body_bytes: 0, header: {}, query: { append: [] } }), ['/header', '/max_body_bytes', '/query/append'])
})
