import { test } from 'node:test'
import assert from 'node:assert/strict'
import type { ApiKeyRecord, MerchantDirectory } from '../../kit/merchant.js'
import type { Reply } from '../../kit/reply.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, makeMerchant, type ContextInit } from '../../../test/support/plugin-context.js'
import { keyAuth, type KeyAuthState } from './handler.js'
import { keyAuthSchema } from './schema.js'

const acme = makeMerchant('m-acme')
const frozen = makeMerchant('m-frozen', { status: 'disabled' })

/** Two keys for acme (rotation: the old one unlabelled), one for a disabled merchant. */
const KEYS = new Map<string, ApiKeyRecord>([
  ['key-new', { merchant: acme, label: '2024-06' }],
  ['key-old', { merchant: acme }],
  ['key-frozen', { merchant: frozen, label: 'only' }]
])

const syncDirectory: MerchantDirectory = {
  findByApiKey: (key) => KEYS.get(key),
  findSigningApp: () => undefined,
  findJwtKeys: () => undefined,
  findById: () => undefined
}

const asyncDirectory: MerchantDirectory = {
  findByApiKey: async (key) => KEYS.get(key),
  findSigningApp: async () => undefined,
  findJwtKeys: async () => undefined,
  findById: async () => undefined
}

const validate = compileConfigValidator(keyAuthSchema)

function compile (config: object = {}, merchants: MerchantDirectory = syncDirectory): KeyAuthState {
  const checked = validate(config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return keyAuth.compile!(checked.config, makeEnv({ merchants }))
}

function run (state: KeyAuthState, init: ContextInit) {
  const ctx = makeContext(init)
  return { ctx, result: keyAuth.access!(ctx, state) }
}

function assertRefused (result: unknown, code: string): void {
  assert.ok(!(result instanceof Promise), 'refusal should be synchronous')
  assert.deepEqual(result as Reply, { code, headers: { 'www-authenticate': 'apikey' } })
}

void test('no key at all replies TG_AUTH_KEY_MISSING with a challenge', () => {
  const { ctx, result } = run(compile(), {})
  assertRefused(result, 'TG_AUTH_KEY_MISSING')
  assert.deepEqual(ctx.identified, [])
})

void test('an empty key header counts as missing', () => {
  assertRefused(run(compile(), { request: { headers: { apikey: '' } } }).result, 'TG_AUTH_KEY_MISSING')
})

void test('an unknown key replies TG_AUTH_KEY_UNKNOWN', () => {
  assertRefused(run(compile(), { request: { headers: { apikey: 'nope' } } }).result, 'TG_AUTH_KEY_UNKNOWN')
})

void test('a disabled merchant replies TG_AUTH_MERCHANT_DISABLED and is not identified', () => {
  const { ctx, result } = run(compile(), { request: { headers: { 'x-api-key': 'key-frozen' } } })
  assertRefused(result, 'TG_AUTH_MERCHANT_DISABLED')
  assert.deepEqual(ctx.identified, [])
  assert.equal(ctx.slots.credential, undefined)
})

void test('a known key identifies the merchant synchronously and sets the credential slot', () => {
  const { ctx, result } = run(compile(), { request: { headers: { apikey: 'key-new' } } })
  assert.equal(result, undefined)
  assert.deepEqual(ctx.identified, [acme])
  assert.equal(ctx.merchant, acme)
  assert.deepEqual(ctx.slots.credential, { kind: 'api-key', label: '2024-06' })
})

void test('both keys of a merchant work during rotation', () => {
  const state = compile()
  for (const [key, label] of [['key-new', '2024-06'], ['key-old', undefined]] as const) {
    const { ctx, result } = run(state, { request: { headers: { apikey: key } } })
    assert.equal(result, undefined)
    assert.equal(ctx.merchant?.id, 'm-acme')
    assert.deepEqual(ctx.slots.credential, { kind: 'api-key', label })
  }
})

void test('configured header names match case-insensitively', () => {
  const state = compile({ key_names: ['X-Merchant-Key'] })
  const { ctx, result } = run(state, { request: { headers: { 'X-MERCHANT-KEY': 'key-new' } } })
  assert.equal(result, undefined)
  assert.equal(ctx.merchant, acme)
})

void test('headers are searched in configured order before the query', () => {
  const { ctx } = run(compile(), {
    request: { headers: { 'x-api-key': 'key-old', apikey: 'key-new' }, query: 'apikey=nope' }
  })
  assert.deepEqual(ctx.slots.credential, { kind: 'api-key', label: '2024-06' })
})

void test('the key may come from the query string', () => {
  const { ctx, result } = run(compile(), { request: { query: 'a=1&apikey=key-new' } })
  assert.equal(result, undefined)
  assert.equal(ctx.merchant, acme)
})

void test('a query key is ignored when key_in_query is false', () => {
  assertRefused(run(compile({ key_in_query: false }), { request: { query: 'apikey=key-new' } }).result, 'TG_AUTH_KEY_MISSING')
})

void test('custom query names are used', () => {
  const { ctx } = run(compile({ query_names: ['appKey'] }), { request: { query: 'appKey=key-old' } })
  assert.equal(ctx.merchant, acme)
})

void test('a promise-returning directory makes access return a promise with the same outcomes', async () => {
  const state = compile({}, asyncDirectory)
  const ok = run(state, { request: { headers: { apikey: 'key-new' } } })
  assert.ok(ok.result instanceof Promise)
  assert.equal(await ok.result, undefined)
  assert.equal(ok.ctx.merchant, acme)

  const unknown = run(state, { request: { headers: { apikey: 'nope' } } })
  assert.deepEqual(await unknown.result, { code: 'TG_AUTH_KEY_UNKNOWN', headers: { 'www-authenticate': 'apikey' } })
  const disabled = run(state, { request: { headers: { apikey: 'key-frozen' } } })
  assert.deepEqual(await disabled.result, { code: 'TG_AUTH_MERCHANT_DISABLED', headers: { 'www-authenticate': 'apikey' } })
})

void test('a missing key never calls the directory, even an asynchronous one', () => {
  let calls = 0
  const state = compile({}, { findByApiKey: async () => { calls++; return undefined }, findSigningApp: () => undefined, findJwtKeys: () => undefined, findById: () => undefined })
  assertRefused(run(state, {}).result, 'TG_AUTH_KEY_MISSING')
  assert.equal(calls, 0)
})

void test('a failing directory rejects, so the runner answers 500 (fail closed)', async () => {
  const state = compile({}, { findByApiKey: async () => { throw new Error('config service down') }, findSigningApp: () => undefined, findJwtKeys: () => undefined, findById: () => undefined })
  const { ctx, result } = run(state, { request: { headers: { apikey: 'key-new' } } })
  await assert.rejects(result as Promise<unknown>, /config service down/)
  assert.deepEqual(ctx.identified, [])
})

void test('hide_credentials removes every key header and key query parameter', () => {
  const { ctx } = run(compile(), {
    request: { headers: { apikey: 'key-new', 'x-api-key': 'other', accept: 'json' }, query: 'apikey=x&page=2&apikey=y' }
  })
  assert.deepEqual(ctx.request.headers.toObject(), { accept: 'json' })
  assert.equal(ctx.request.query, 'page=2')
})

void test('hide_credentials false leaves the key in place', () => {
  const { ctx } = run(compile({ hide_credentials: false }), { request: { query: 'apikey=key-new&page=2' } })
  assert.equal(ctx.merchant, acme)
  assert.equal(ctx.request.query, 'apikey=key-new&page=2')
})

void test('a refused request keeps its headers (nothing is proxied anyway)', () => {
  const { ctx } = run(compile(), { request: { headers: { apikey: 'nope' } } })
  assert.equal(ctx.request.headers.get('apikey'), 'nope')
})

void test('the plugin sits in the authentication band', () => {
  assert.equal(keyAuth.name, 'key-auth')
  assert.equal(keyAuth.priority, 3000)
})
