import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { ipRestrictionSchema } from './schema.js'

const check = compileConfigValidator(ipRestrictionSchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.problems.map((p) => p.path)
}

void test('an empty config gets empty lists', () => {
  assert.deepEqual(check({}), { ok: true, config: { allow: [], deny: [] } })
})

void test('IPv4 and IPv6 addresses and CIDR blocks are accepted', () => {
  const config = { allow: ['203.0.113.7', '10.0.0.0/8', '2001:db8::1', '2001:db8::/32', '0.0.0.0/0', '::/0'], deny: ['10.1.2.3/32', 'fd00::/128'] }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('a host name is rejected at its index', () => {
  assert.deepEqual(paths({ allow: ['10.0.0.1', 'example.com'] }), ['/allow/1'])
})

void test('a prefix longer than the address family allows is rejected', () => {
  assert.deepEqual(paths({ deny: ['10.0.0.0/33', '2001:db8::/129', '10.0.0.0/8'] }), ['/deny/0', '/deny/1'])
})

void test('malformed blocks are rejected at their index', () => {
  assert.deepEqual(paths({ deny: ['10.0.0/8', '10.0.0.0/', '10.0.0.0/x', '256.1.1.1'] }), ['/deny/0', '/deny/1', '/deny/2', '/deny/3'])
})

void test('a list given as a string is rejected at its path', () => {
  assert.deepEqual(paths({ allow: '10.0.0.0/8' }), ['/allow'])
})

void test('an unknown property is rejected at its own path', () => {
  assert.deepEqual(paths({ whitelist: ['10.0.0.0/8'] }), ['/whitelist'])
})
