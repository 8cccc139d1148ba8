import { test } from 'node:test'
import assert from 'node:assert/strict'
import { validateConfig } from '../../config/validate.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { jwtSchema } from './schema.js'
import { opensslKeys } from './test-tokens.js'

const check = compileConfigValidator(jwtSchema)

function paths (config: unknown): string[] {
  const result = check(config)
  assert.equal(result.ok, false)
  return result.ok ? [] : result.problems.map((p) => p.path).sort()
}

void test('an empty config gets every default', () => {
  const result = check({})
  assert.ok(result.ok)
  assert.deepEqual(result.config, {
    header: 'authorization',
    algorithms: ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'],
    merchant_claim: 'sub',
    merchant_keys: true,
    jwks_urls: [],
    jwks_ttl_seconds: 300,
    jwks_refresh_interval_seconds: 30,
    jwks_timeout_ms: 3000,
    issuers: [],
    audiences: [],
    required_claims: ['exp'],
    clock_skew_seconds: 60,
    hide_credentials: false
  })
})

void test('a full config is kept', () => {
  const config = { header: 'x-token', query_param: 'access_token', cookie: 'tg', algorithms: ['ES256'], merchant_claim: 'mid', merchant_keys: false, jwks_urls: ['https://id.example.com/.well-known/jwks.json', 'http://127.0.0.1:8080/keys'], jwks_ttl_seconds: 60, jwks_refresh_interval_seconds: 5, jwks_timeout_ms: 500, issuers: ['https://id.example.com'], audiences: ['api'], required_claims: ['exp', 'iat'], clock_skew_seconds: 0, hide_credentials: true }
  assert.deepEqual(check(config), { ok: true, config })
})

void test('alg none and unknown algorithms are rejected at their index', () => {
  assert.deepEqual(paths({ algorithms: ['RS256', 'none', 'HS1'] }), ['/algorithms/1', '/algorithms/2'])
})

void test('a JWKS URL that is not http(s), or has credentials in it, is rejected at its index', () => {
  assert.deepEqual(paths({ jwks_urls: ['https://ok.test/jwks', 'ftp://x.test/jwks', 'https://user:pw@x.test/jwks'] }), ['/jwks_urls/1', '/jwks_urls/2'])
})

void test('out-of-range numbers and unknown fields are rejected at their paths', () => {
  assert.deepEqual(paths({ clock_skew_seconds: 601, jwks_ttl_seconds: 1, jwks_timeout_ms: 50, secret: 'x' }), ['/clock_skew_seconds', '/jwks_timeout_ms', '/jwks_ttl_seconds', '/secret'])
})

void test('a header name with a space is rejected', () => {
  assert.deepEqual(paths({ header: 'x token' }), ['/header'])
})

// The merchant side: credentials.jwt_keys, checked with the merchants.
const keys = opensslKeys()
const merchantsDocument = (jwtKeys: unknown[]) => ({
  services: [{ id: 's', targets: [{ host: '127.0.0.1', port: 9 }] }],
  routes: [{ id: 'r', service: 's', paths: ['/'] }],
  merchants: [{ id: 'm1', credentials: { jwt_keys: jwtKeys } }]
})
function merchantProblems (jwtKeys: unknown[]): Array<[string, string]> {
  const result = validateConfig(merchantsDocument(jwtKeys), { file: 'f', baseDir: '/', pluginSchema: () => undefined })
  return result.ok ? [] : result.problems.map((p) => [p.path, p.reason])
}

void test('merchant jwt_keys of every kind are accepted', () => {
  assert.deepEqual(merchantProblems([
    { kid: 'h', algorithm: 'HS256', secret: 'x'.repeat(32) },
    { kid: 'r', algorithm: 'PS256', public_key_pem: keys.rsa.publicPem },
    { algorithm: 'ES384', public_key_pem: keys.p384.publicPem },
    { algorithm: 'EdDSA', public_key_pem: keys.ed25519.publicPem }
  ]), [])
})

void test('merchant jwt_keys with the wrong material, a private key, a mismatched curve or a repeated kid are refused at their path', () => {
  const problems = merchantProblems([
    { algorithm: 'HS256' },
    { algorithm: 'RS256', secret: 'x'.repeat(32) },
    { algorithm: 'RS256', public_key_pem: keys.rsa.privatePem },
    { algorithm: 'ES256', public_key_pem: keys.p384.publicPem },
    { kid: 'a', algorithm: 'EdDSA', public_key_pem: keys.ed25519.publicPem },
    { kid: 'a', algorithm: 'HS384', secret: 'y'.repeat(48) },
    { algorithm: 'RS256', public_key_pem: `-----BEGIN PUBLIC KEY-----\n${'A'.repeat(80)}\n-----END PUBLIC KEY-----\n` }
  ])
  assert.deepEqual(problems.map(([path]) => path), [
    '/merchants/0/credentials/jwt_keys/0/secret',
    '/merchants/0/credentials/jwt_keys/1/secret',
    '/merchants/0/credentials/jwt_keys/2/public_key_pem',
    '/merchants/0/credentials/jwt_keys/3/public_key_pem',
    '/merchants/0/credentials/jwt_keys/5/kid',
    '/merchants/0/credentials/jwt_keys/6/public_key_pem'
  ])
  assert.match(problems[2]?.[1] ?? '', /private key/)
  assert.match(problems[3]?.[1] ?? '', /ES256 needs an EC key on P-256/)
})

void test('an HS secret shorter than 32 characters is refused by the schema at its path', () => {
  assert.deepEqual(merchantProblems([{ algorithm: 'HS256', secret: 'short' }]).map(([path]) => path), ['/merchants/0/credentials/jwt_keys/0/secret'])
})
