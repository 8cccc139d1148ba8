import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { corsSchema } from './schema.js'

const check = compileConfigValidator(corsSchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.problems.map((p) => p.path).sort()
}

void test('origins alone get every default', () => {
  assert.deepEqual(check({ origins: ['https://shop.example.com'] }), {
    ok: true,
    config: {
      origins: ['https://shop.example.com'],
      methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowed_headers: ['*'],
      exposed_headers: ['x-request-id'],
      credentials: false,
      max_age_seconds: 600
    }
  })
})

void test('exact origins, host patterns, regexes, * and null are accepted', () => {
  const config = { origins: ['https://a.example.com:8443', 'https://*.example.com', '~https://shop-[0-9]+\\.example\\.net', '*', 'null'], credentials: true, methods: ['PUT'], allowed_headers: ['x-sign', 'content-type'], exposed_headers: [], max_age_seconds: 0 }
  const result = check(config)
  assert.ok(result.ok)
  assert.deepEqual(result.config, config)
})

void test('origins are required and not empty', () => {
  assert.deepEqual(paths({}), ['/origins'])
  assert.deepEqual(paths({ origins: [] }), ['/origins'])
})

void test('an origin with a path, or without a scheme, is rejected at its index', () => {
  assert.deepEqual(paths({ origins: ['https://ok.example.com', 'https://a.example.com/app', 'shop.example.com'] }), ['/origins/1', '/origins/2'])
})

void test('an unknown method is rejected at its index', () => {
  assert.deepEqual(paths({ origins: ['*'], methods: ['GET', 'FETCH'] }), ['/methods/1'])
})

void test('a header name with a space or a colon is rejected at its index', () => {
  assert.deepEqual(paths({ origins: ['*'], allowed_headers: ['x ok'], exposed_headers: ['a', 'b:c'] }), ['/allowed_headers/0', '/exposed_headers/1'])
})

void test('max_age_seconds past a day and unknown fields are rejected at their paths', () => {
  assert.deepEqual(paths({ origins: ['*'], max_age_seconds: 86_401, allow_origin: '*' }), ['/allow_origin', '/max_age_seconds'])
})
