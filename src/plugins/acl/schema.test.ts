import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { aclSchema } from './schema.js'

const check = compileConfigValidator(aclSchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.problems.map((p) => p.path).sort()
}

void test('an empty config gets empty lists', () => {
  assert.deepEqual(check({}), { ok: true, config: { allow: [], deny: [] } })
})

void test('given groups are kept', () => {
  assert.deepEqual(check({ allow: ['gold', 'silver'], deny: ['suspended'] }), { ok: true, config: { allow: ['gold', 'silver'], deny: ['suspended'] } })
})

void test('an empty group name is rejected at its index', () => {
  assert.deepEqual(paths({ allow: ['gold', ''] }), ['/allow/1'])
})

void test('a repeated group is rejected at its list', () => {
  assert.deepEqual(paths({ deny: ['x', 'x'] }), ['/deny'])
})

void test('a group given as a string instead of a list is rejected at its path', () => {
  assert.deepEqual(paths({ allow: 'gold' }), ['/allow'])
})

void test('every problem is reported, and unknown properties at their own path', () => {
  assert.deepEqual(paths({ allow: [1], groups: ['gold'] }), ['/allow/0', '/groups'])
})
