import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import {
  bodySha256Hex, canonicalQuery, canonicalString, EMPTY_BODY_SHA256, signCompatParams, signRequest, type SignRequestInput
} from './sign.js'

// The README's test vectors. The canonical strings are written out by hand, the digests were
// computed with `openssl dgst`, and every test below recomputes them with the openssl CLI too, so
// the signer is checked against something other than itself.

const SECRET = 's3cr3t-2024-06-acme'
const NEXT_SECRET = 's3cr3t-2024-12-acme'
const JSON_BODY = '{"amount":12345678901234567890,"currency":"CNY"}'

interface TgVector {
  readonly name: string
  readonly input: SignRequestInput
  readonly canonical: string
  readonly signature: string
}

const TG_VECTORS: readonly TgVector[] = [
  {
    name: 'GET with a repeated query parameter, no body',
    input: { appKey: 'm-acme', secret: SECRET, method: 'GET', path: '/v1/orders', query: 'status=paid&page=2&tag=b&tag=a', timestamp: 1700000000000, nonce: '0123456789abcdef0123456789abcdef' },
    canonical: 'TG1-HMAC-SHA256\nm-acme\n1700000000000\n0123456789abcdef0123456789abcdef\nGET\n/v1/orders\npage=2&status=paid&tag=a&tag=b\n' + EMPTY_BODY_SHA256,
    signature: 'd8e4203de51a31bdf22bf55f3954c818a391f054699d9ac8f9470bf4005bc2da'
  },
  {
    name: 'POST with a JSON body, no query',
    input: { appKey: 'm-acme', secret: SECRET, method: 'post', path: '/v1/orders', body: JSON_BODY, timestamp: 1700000000000, nonce: 'nonce-0000000000000002' },
    canonical: 'TG1-HMAC-SHA256\nm-acme\n1700000000000\nnonce-0000000000000002\nPOST\n/v1/orders\n\neb92edf2eeb606ae832eb1065595f3e2e64409912f70fd226637e2d9982c995f',
    signature: 'f5718a847a1a3e9aa7c58b891454245af7d79635285e16cbfe4ef76754c92601'
  },
  {
    name: 'the same POST signed with the next secret (rotation)',
    input: { appKey: 'm-acme', secret: NEXT_SECRET, method: 'POST', path: '/v1/orders', body: Buffer.from(JSON_BODY), timestamp: 1700000000000, nonce: 'nonce-0000000000000002' },
    canonical: 'TG1-HMAC-SHA256\nm-acme\n1700000000000\nnonce-0000000000000002\nPOST\n/v1/orders\n\neb92edf2eeb606ae832eb1065595f3e2e64409912f70fd226637e2d9982c995f',
    signature: 'd6e153130371084db0f960d32e51e583777b04dda98edf542ecb528eecd9c239'
  },
  {
    name: 'PUT with a form body, an encoded path and a query needing RFC 3986 encoding',
    input: { appKey: 'm-acme', secret: SECRET, method: 'PUT', path: '/v1/caf%C3%A9/items', query: 'q=caf%C3%A9+au+lait&a%20b=x*y&empty=&z=~._-!', body: 'a=1&b=2', timestamp: 1700000000000, nonce: 'nonce_0000000000000003' },
    canonical: 'TG1-HMAC-SHA256\nm-acme\n1700000000000\nnonce_0000000000000003\nPUT\n/v1/caf%C3%A9/items\na%20b=x%2Ay&empty=&q=caf%C3%A9%20au%20lait&z=~._-%21\n8e85be58c1c372ac29fe7bfa80d8ddcbd04a4032c7b51c1c026d67c55b1ab23f',
    signature: 'f644c11eb0b417082d0ca6c0a19f3c941a0db32ae697f2c6dba49794e4a1aca6'
  }
]

const COMPAT_TIMESTAMP = '2023-11-15 06:13:20'

const COMPAT_VECTORS = [
  {
    name: 'JD md5 with 360buy_param_json',
    method: 'md5',
    params: { app_key: 'm-acme', method: 'jingdong.order.get', timestamp: COMPAT_TIMESTAMP, v: '2.0', sign_method: 'md5', '360buy_param_json': '{"orderId":"42"}' },
    base: '360buy_param_json{"orderId":"42"}app_keym-acmemethodjingdong.order.getsign_methodmd5timestamp2023-11-15 06:13:20v2.0',
    openssl: (base: string) => openssl(['-md5'], SECRET + base + SECRET),
    sign: 'BAD7B340205A8C4E88D73534CFB2F855'
  },
  {
    name: 'TOP hmac (HMAC-MD5)',
    method: 'hmac',
    params: { app_key: 'm-acme', method: 'taobao.trade.get', timestamp: COMPAT_TIMESTAMP, v: '2.0', sign_method: 'hmac' },
    base: 'app_keym-acmemethodtaobao.trade.getsign_methodhmactimestamp2023-11-15 06:13:20v2.0',
    openssl: (base: string) => openssl(['-md5', '-hmac', SECRET], base),
    sign: '76680FC501CFE1A9CDDC4AE790468FBD'
  },
  {
    name: 'TOP hmac-sha256',
    method: 'hmac-sha256',
    params: { app_key: 'm-acme', method: 'taobao.trade.get', timestamp: COMPAT_TIMESTAMP, v: '2.0', sign_method: 'hmac-sha256' },
    base: 'app_keym-acmemethodtaobao.trade.getsign_methodhmac-sha256timestamp2023-11-15 06:13:20v2.0',
    openssl: (base: string) => openssl(['-sha256', '-hmac', SECRET], base),
    sign: 'F92F0D64E7894F92537A26ECBB273827CE0A9B7FEC845FBF8B335F2045403176'
  }
] as const

/** `printf '%s' "$input" | openssl dgst <args> -r`, without a shell: the lower-case hex digest. */
function openssl (args: readonly string[], input: string): string {
  const run = spawnSync('openssl', ['dgst', ...args, '-r'], { input })
  assert.equal(run.status, 0, `openssl dgst failed: ${run.stderr?.toString() ?? String(run.error)}`)
  return run.stdout.toString().split(' ')[0] as string
}

/** The README beside the sources (tests run from dist/). */
const README = readFileSync(resolve(import.meta.dirname, '../../../../src/plugins/merchant-signature/README.md'), 'utf8')

for (const vector of TG_VECTORS) {
  void test(`tg-hmac-sha256 vector: ${vector.name}`, () => {
    const body = vector.input.body ?? ''
    const [head, ...rest] = vector.canonical.split('\n')
    assert.equal(head, 'TG1-HMAC-SHA256')
    assert.equal(rest.at(-1), openssl(['-sha256'], typeof body === 'string' ? body : body.toString()), 'body hash as openssl computes it')
    assert.equal(openssl(['-sha256', '-hmac', vector.input.secret], vector.canonical), vector.signature, 'openssl agrees with the vector')
    const headers = signRequest(vector.input)
    assert.deepEqual(headers, {
      'x-tg-appkey': vector.input.appKey,
      'x-tg-timestamp': String(vector.input.timestamp),
      'x-tg-nonce': vector.input.nonce,
      'x-tg-signature': vector.signature
    })
    const canonical = canonicalString({
      appKey: vector.input.appKey,
      timestamp: String(vector.input.timestamp),
      nonce: vector.input.nonce as string,
      method: vector.input.method,
      path: vector.input.path,
      canonicalQuery: canonicalQuery(vector.input.query),
      bodySha256Hex: bodySha256Hex(vector.input.body)
    })
    assert.equal(canonical, vector.canonical)
  })
}

for (const vector of COMPAT_VECTORS) {
  void test(`compatibility vector: ${vector.name}`, () => {
    assert.equal(vector.openssl(vector.base).toUpperCase(), vector.sign, 'openssl agrees with the vector')
    assert.equal(signCompatParams(vector.method, SECRET, vector.params), vector.sign)
    assert.equal(signCompatParams(vector.method, SECRET, { ...vector.params, sign: 'ignored', empty: '' }), vector.sign, 'sign and empty values are left out')
  })
}

void test('the README lists every vector: canonical strings and signatures', () => {
  for (const vector of TG_VECTORS) {
    assert.ok(README.includes(vector.canonical), `README lacks the canonical string of "${vector.name}"`)
    assert.ok(README.includes(vector.signature), `README lacks the signature of "${vector.name}"`)
  }
  for (const vector of COMPAT_VECTORS) {
    assert.ok(README.includes(vector.base), `README lacks the base string of "${vector.name}"`)
    assert.ok(README.includes(vector.sign), `README lacks the sign of "${vector.name}"`)
  }
  assert.ok(README.includes(SECRET) && README.includes(NEXT_SECRET))
})

void test('the canonical query depends on the decoded pairs only, not on how they were encoded', () => {
  const raw = canonicalQuery('q=caf%C3%A9+au+lait&a%20b=x*y')
  assert.equal(canonicalQuery('a+b=x%2ay&q=caf%c3%a9%20au%20lait'), raw)
  assert.equal(canonicalQuery(new URLSearchParams({ q: 'café au lait', 'a b': 'x*y' })), raw)
  assert.equal(canonicalQuery({ 'a b': 'x*y', q: ['café au lait'] }), raw)
  assert.equal(canonicalQuery('?a+b=x*y&q=caf%C3%A9 au lait'), raw)
})

void test('the canonical query sorts by name before value (a prefix name sorts first)', () => {
  assert.equal(canonicalQuery('a-b=1&a=2&a=10'), 'a=10&a=2&a-b=1')
})

void test('a flag without "=" has the empty value and empty segments are ignored', () => {
  assert.equal(canonicalQuery('b&&a='), 'a=&b=')
})

void test('a malformed escape is signed as the literal text', () => {
  assert.equal(canonicalQuery('x=100%'), 'x=100%25')
})

void test('signRequest defaults to now and a random 32-hex-digit nonce', () => {
  const before = Date.now()
  const headers = signRequest({ appKey: 'm-acme', secret: SECRET, method: 'GET', path: '/' })
  const timestamp = Number(headers['x-tg-timestamp'])
  assert.ok(timestamp >= before && timestamp <= Date.now())
  assert.match(headers['x-tg-nonce'], /^[0-9a-f]{32}$/)
  assert.notEqual(signRequest({ appKey: 'm-acme', secret: SECRET, method: 'GET', path: '/' })['x-tg-nonce'], headers['x-tg-nonce'])
})

void test('signRequest refuses unusable inputs by naming the option', () => {
  const base = { appKey: 'm-acme', secret: SECRET, method: 'GET', path: '/', timestamp: 1, nonce: '0123456789abcdef' }
  assert.throws(() => signRequest({ ...base, nonce: 'short' }), /nonce/)
  assert.throws(() => signRequest({ ...base, path: '/a?b=1' }), /path/)
  assert.throws(() => signRequest({ ...base, appKey: 'a\nb' }), /appKey/)
  assert.throws(() => signRequest({ ...base, timestamp: 1.5 }), /timestamp/)
  assert.throws(() => signRequest({ ...base, method: 'GE T' }), /method/)
  assert.throws(() => signRequest({ ...base, secret: '' }), /secret/)
})
