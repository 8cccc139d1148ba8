import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { merchantSignatureSchema } from './schema.js'

const check = compileConfigValidator(merchantSignatureSchema)

function pathsOf (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false, 'config should be rejected')
  // One value may break several rules (0.5 is below 1 and not an integer): paths once each.
  return result.ok ? [] : [...new Set(result.problems.map((p) => p.path))].sort()
}

void test('an empty config gets every default', () => {
  assert.deepEqual(check({}), {
    ok: true,
    config: {
      schemes: ['tg-hmac-sha256'],
      clock_skew_seconds: 300,
      nonce_cache_size: 100_000,
      nonce_redis_failure: 'open',
      compat_utc_offset_minutes: 480,
      hide_credentials: true
    }
  })
})

void test('every field may be given', () => {
  const config = {
    schemes: ['md5', 'hmac', 'hmac-sha256', 'tg-hmac-sha256'],
    clock_skew_seconds: 60,
    nonce_cache_size: 1000,
    nonce_redis_failure: 'closed',
    compat_utc_offset_minutes: -300,
    hide_credentials: false
  }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('nonce_redis_failure is open or closed', () => {
  assert.deepEqual(pathsOf({ nonce_redis_failure: 'ignore' }), ['/nonce_redis_failure'])
})

void test('an unknown scheme is rejected at its index', () => {
  assert.deepEqual(pathsOf({ schemes: ['tg-hmac-sha256', 'sha1'] }), ['/schemes/1'])
})

void test('an empty scheme list is rejected: a binding must accept something', () => {
  assert.deepEqual(pathsOf({ schemes: [] }), ['/schemes'])
})

void test('a scheme listed twice is rejected', () => {
  assert.deepEqual(pathsOf({ schemes: ['md5', 'md5'] }), ['/schemes'])
})

void test('a clock skew of zero, over an hour or fractional is rejected', () => {
  assert.deepEqual(pathsOf({ clock_skew_seconds: 0 }), ['/clock_skew_seconds'])
  assert.deepEqual(pathsOf({ clock_skew_seconds: 3601 }), ['/clock_skew_seconds'])
  assert.deepEqual(pathsOf({ clock_skew_seconds: 0.5 }), ['/clock_skew_seconds'])
})

void test('a nonce cache below 1000 entries is rejected', () => {
  assert.deepEqual(pathsOf({ nonce_cache_size: 999 }), ['/nonce_cache_size'])
})

void test('a UTC offset beyond ±14 h is rejected', () => {
  assert.deepEqual(pathsOf({ compat_utc_offset_minutes: 841 }), ['/compat_utc_offset_minutes'])
  assert.deepEqual(pathsOf({ compat_utc_offset_minutes: -721 }), ['/compat_utc_offset_minutes'])
})

void test('a non-boolean hide_credentials is rejected at its path', () => {
  assert.deepEqual(pathsOf({ hide_credentials: 'yes' }), ['/hide_credentials'])
})

void test('an unknown property is rejected at its own path', () => {
  assert.deepEqual(pathsOf({ scheme: 'md5' }), ['/scheme'])
})

void test('every problem is reported, not only the first', () => {
  assert.deepEqual(pathsOf({ schemes: 'md5', clock_skew_seconds: -1, secret: 'x' }), ['/clock_skew_seconds', '/schemes', '/secret'])
})

void test('validation does not change the caller object', () => {
  const input = {}
  check(input)
  assert.deepEqual(input, {})
})
