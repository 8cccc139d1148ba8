import { test } from 'node:test'
import assert from 'node:assert/strict'
import { coerceWholeReferences, substituteEnv } from './env-substitution.js'
import { fakePluginSchema } from './testing/fixtures.js'

const env = { HOST: 'api.internal', PORT: '9000', EMPTY: '', FLAG: 'false', PASSWORD: '12345678' }

void test('substitutes ${NAME} inside strings and ${NAME:-default} when unset or empty', () => {
  const { value, problems } = substituteEnv({ a: 'http://${HOST}:${PORT}/x', b: ['${MISSING:-fallback}', '${EMPTY:-used}', '${HOST:-unused}'] }, env)
  assert.deepEqual(problems, [])
  assert.deepEqual(value, { a: 'http://api.internal:9000/x', b: ['fallback', 'used', 'api.internal'] })
})

void test('an unset variable without default is a problem at its path; keys are never substituted', () => {
  const { value, problems } = substituteEnv({ services: [{ 'id${HOST}': '${NOPE}' }] }, env)
  assert.deepEqual(problems, [{ path: '/services/0/id${HOST}', reason: 'environment variable NOPE is not set (write ${NOPE:-default} to give a default)' }])
  assert.deepEqual(value, { services: [{ 'id${HOST}': '${NOPE}' }] })
})

void test('$${ is a literal ${; malformed and unclosed references are problems', () => {
  assert.deepEqual(substituteEnv({ a: 'cost $${HOST} and $5' }, env).value, { a: 'cost ${HOST} and $5' })
  const { problems } = substituteEnv({ a: '${1BAD}', b: 'x ${HOST' }, env)
  assert.deepEqual(problems.map((p) => p.path), ['/a', '/b'])
  assert.match(problems[0]?.reason ?? '', /^malformed reference '\$\{1BAD\}'/)
  assert.match(problems[1]?.reason ?? '', /^unclosed '\$\{'/)
})

void test('a whole-scalar reference becomes a number or boolean only where the schema expects one', () => {
  const tree = {
    gateway: { workers: '${PORT}', listeners: [{ name: '${PORT}', port: '${PORT}' }], forwarded: { via: '${FLAG}' } },
    merchants: [{ id: 'm', credentials: { secrets: [{ id: 's', secret: '${PASSWORD}' }] } }],
    services: [{ id: 's', path: 'x${PORT}', targets: [{ host: 'h', port: 'p${PORT}' }] }],
    plugins: [{ name: 'rate-limit', config: { limit: '${PORT}' } }, { name: 'unknown', config: { limit: '${PORT}' } }]
  }
  const { value, wholeReferences } = substituteEnv(tree, env)
  coerceWholeReferences(value, wholeReferences, fakePluginSchema)
  assert.deepEqual(value, {
    gateway: { workers: 9000, listeners: [{ name: '9000', port: 9000 }], forwarded: { via: false } },
    merchants: [{ id: 'm', credentials: { secrets: [{ id: 's', secret: '12345678' }] } }],
    services: [{ id: 's', path: 'x9000', targets: [{ host: 'h', port: 'p9000' }] }],
    plugins: [{ name: 'rate-limit', config: { limit: 9000 } }, { name: 'unknown', config: { limit: '9000' } }]
  })
})

void test('a non-numeric value where a number is expected stays a string (and fails validation there)', () => {
  const { value, wholeReferences } = substituteEnv({ gateway: { workers: '${HOST}' } }, env)
  coerceWholeReferences(value, wholeReferences, fakePluginSchema)
  assert.deepEqual(value, { gateway: { workers: 'api.internal' } })
})
