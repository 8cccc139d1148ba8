import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { keyAuthSchema } from './schema.js'

const check = compileConfigValidator(keyAuthSchema)

void test('an empty config gets every default', () => {
  assert.deepEqual(check({}), {
    ok: true,
    config: { key_names: ['apikey', 'x-api-key'], query_names: ['apikey'], key_in_query: true, hide_credentials: true }
  })
})

void test('given values are kept', () => {
  const result = check({ key_names: ['X-Merchant-Key'], key_in_query: false, hide_credentials: false })
  assert.equal(result.ok, true)
  assert.deepEqual(result.ok && result.config.key_names, ['X-Merchant-Key'])
  assert.equal(result.ok && result.config.key_in_query, false)
})

void test('a header name with a space is rejected at its index', () => {
  const result = check({ key_names: ['api key'] })
  assert.equal(result.ok, false)
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path), ['/key_names/0'])
})

void test('an empty query name is rejected at its index', () => {
  const result = check({ query_names: ['apikey', ''] })
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path), ['/query_names/1'])
})

void test('a non-boolean flag is rejected at its path', () => {
  const result = check({ hide_credentials: 'yes' })
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path), ['/hide_credentials'])
})

void test('an unknown property is rejected at its own path', () => {
  const result = check({ key_name: ['apikey'] })
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path), ['/key_name'])
})

void test('every problem is reported, not only the first', () => {
  const result = check({ key_names: 'apikey', key_in_query: 1 })
  assert.deepEqual(!result.ok && result.problems.map((p) => p.path).sort(), ['/key_in_query', '/key_names'])
})

void test('validation does not change the caller object', () => {
  const input = {}
  check(input)
  assert.deepEqual(input, {})
})
