import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { requestGuardSchema } from './schema.js'

const check = compileConfigValidator(requestGuardSchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.problems.map((p) => p.path).sort()
}

void test('an empty config gets every default: every check off', () => {
  assert.deepEqual(check({}), {
    ok: true,
    config: {
      allowed_methods: [],
      max_body_bytes: 0,
      max_header_count: 0,
      max_header_bytes: 0,
      max_url_bytes: 0,
      allowed_content_types: [],
      deny_user_agents: [],
      deny_referers: []
    }
  })
})

void test('a full config is kept as given', () => {
  const config = {
    allowed_methods: ['GET', 'POST'],
    max_body_bytes: 1024,
    max_header_count: 30,
    max_header_bytes: 8192,
    max_url_bytes: 2048,
    allowed_content_types: ['application/json', 'text/*', '*/*'],
    deny_user_agents: ['^curl/', 'sqlmap'],
    deny_referers: ['\\.evil\\.example$']
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('a lower-case or unknown method is rejected at its index', () => {
  assert.deepEqual(paths({ allowed_methods: ['GET', 'post', 'BREW'] }), ['/allowed_methods/1', '/allowed_methods/2'])
})

void test('negative and fractional limits are rejected at their paths', () => {
  assert.deepEqual(paths({ max_body_bytes: -1, max_header_count: 1.5, max_url_bytes: '2k' }), ['/max_body_bytes', '/max_header_count', '/max_url_bytes'])
})

void test('a content type with parameters or without a subtype is rejected at its index', () => {
  assert.deepEqual(paths({ allowed_content_types: ['application/json; charset=utf-8', 'json', 'text/plain'] }), ['/allowed_content_types/0', '/allowed_content_types/1'])
})

void test('an invalid regular expression is rejected at its index', () => {
  assert.deepEqual(paths({ deny_user_agents: ['ok', 'bad('], deny_referers: ['[z-a]'] }), ['/deny_referers/0', '/deny_user_agents/1'])
})

void test('an empty pattern is rejected (it would match every request)', () => {
  assert.deepEqual(paths({ deny_user_agents: [''] }), ['/deny_user_agents/0'])
})

void test('an unknown property is rejected at its own path', () => {
  assert.deepEqual(paths({ max_body_size: 10 }), ['/max_body_size'])
})
