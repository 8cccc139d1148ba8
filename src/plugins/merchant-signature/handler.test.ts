import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import type { MerchantDirectory, SigningApp } from '../../kit/merchant.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, makeMerchant } from '../../../test/support/plugin-context.js'
import { InProcessGateway } from '../../testing/inject.js'
import type { InjectedResponse } from '../../testing/memory-sink.js'
import { UpstreamServer } from '../../../test/support/upstream-server.js'
import { createMerchantSignature, type MerchantSignatureOptions, type MerchantSignatureState } from './handler.js'
import type { NonceStore } from './nonce-store.js'
import { merchantSignatureSchema } from './schema.js'
import { signCompatParams, signRequest, type CompatSignMethod } from './sign.js'

const SECRET = 's3cr3t-2024-06-acme'
const NEXT_SECRET = 's3cr3t-2024-12-acme'
const START_MS = 1_700_000_000_000

let nowMs = START_MS
const plugin = createMerchantSignature({ now: () => nowMs })

/** Copies what authentication decided into request headers, so the upstream shows it. */
const echo = definePlugin({
  name: 'echo-identity', version: '1', priority: PRIORITY.limits, schema: Type.Object({}),
  access (ctx) {
    ctx.request.headers.set('x-seen-merchant', ctx.merchant?.id ?? '-')
    const credential = ctx.slots.credential
    if (credential?.kind === 'signature') ctx.request.headers.set('x-seen-credential', `${credential.scheme}/${credential.secretId}`)
  }
})

function document (upstreamPort: number): object {
  return {
    services: [{ id: 'backend', targets: [{ host: '127.0.0.1', port: upstreamPort }] }],
    routes: [
      { id: 'tg', service: 'backend', paths: ['/v1/*'] },
      { id: 'compat', service: 'backend', paths: ['/router/*'] },
      { id: 'both', service: 'backend', paths: ['/both/*'] },
      { id: 'kept', service: 'backend', paths: ['/kept/*'] }
    ],
    merchants: [
      { id: 'm-acme', credentials: { secrets: [{ id: '2024-06', secret: SECRET }, { id: '2024-12', secret: NEXT_SECRET }] } },
      { id: 'm-frozen', status: 'disabled', credentials: { secrets: [{ id: 'only', secret: 'frozen-secret-1' }] } },
      { id: 'm-keys-only', credentials: { api_keys: [{ key: 'key-keys-only-1' }] } }
    ],
    plugins: [
      { name: 'echo-identity' },
      { name: 'merchant-signature', route: 'tg' },
      { name: 'merchant-signature', route: 'compat', config: { schemes: ['md5', 'hmac', 'hmac-sha256'] } },
      { name: 'merchant-signature', route: 'both', config: { schemes: ['tg-hmac-sha256', 'md5'] } },
      { name: 'merchant-signature', route: 'kept', config: { hide_credentials: false, clock_skew_seconds: 60 } }
    ]
  }
}

let nonceCounter = 0
const nextNonce = (): string => `nonce-${String(++nonceCounter).padStart(16, '0')}`

interface SignedRequest {
  method?: string
  url: string
  body?: string | Buffer
  secret?: string
  appKey?: string
  timestamp?: number
  nonce?: string
  headers?: Record<string, string>
}

/** Headers that sign `url` as given (path and query split at the first `?`). */
function signFor (request: SignedRequest): Record<string, string> {
  const q = request.url.indexOf('?')
  return {
    ...signRequest({
      appKey: request.appKey ?? 'm-acme',
      secret: request.secret ?? SECRET,
      method: request.method ?? 'GET',
      path: q === -1 ? request.url : request.url.slice(0, q),
      query: q === -1 ? '' : request.url.slice(q + 1),
      body: request.body,
      timestamp: request.timestamp ?? nowMs,
      nonce: request.nonce ?? nextNonce()
    }),
    ...request.headers
  }
}

function errorCode (res: InjectedResponse): string {
  return (res.json() as { error: { code: string } }).error.code
}

/** `yyyy-MM-dd HH:mm:ss` at GMT+8, as JD and TOP SDKs send timestamps. */
function gmt8 (ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

function compatQuery (method: CompatSignMethod, params: Record<string, string>, secret = SECRET): string {
  const all = { app_key: 'm-acme', timestamp: gmt8(nowMs), v: '2.0', sign_method: method, ...params }
  return new URLSearchParams({ ...all, sign: signCompatParams(method, secret, all) }).toString()
}

describe('merchant-signature through the in-process gateway', () => {
  const upstream = new UpstreamServer()
  let gateway: InProcessGateway

  before(async () => {
    const port = await upstream.listen()
    gateway = new InProcessGateway({ plugins: [plugin, echo] }).load(document(port))
  })
  after(async () => {
    await gateway.close()
    await upstream.close()
  })

  const send = (request: SignedRequest, headers = signFor(request)): Promise<InjectedResponse> =>
    gateway.inject({ method: request.method ?? 'GET', url: request.url, headers, body: request.body })

  async function assertRefused (res: InjectedResponse, code: string, seenBefore: number): Promise<void> {
    assert.equal(res.status, 401, res.body.toString())
    assert.equal(errorCode(res), code)
    assert.equal(res.headers['www-authenticate'], 'TG1-HMAC-SHA256')
    assert.equal(upstream.seen.length, seenBefore, 'a refused request never reaches the upstream')
    assert.doesNotMatch(res.body.toString(), /[0-9a-f]{64}/, 'no signature is echoed')
  }

  it('identifies the merchant of a signed GET and strips the signature headers', async () => {
    const res = await send({ url: '/v1/orders?status=paid&page=2' })
    assert.equal(res.status, 200, res.body.toString())
    const seen = upstream.seen.at(-1)
    assert.equal(seen?.url, '/v1/orders?status=paid&page=2')
    assert.equal(seen?.headers['x-seen-merchant'], 'm-acme')
    assert.equal(seen?.headers['x-seen-credential'], 'tg-hmac-sha256/2024-06')
    for (const name of ['x-tg-appkey', 'x-tg-timestamp', 'x-tg-nonce', 'x-tg-signature']) assert.equal(seen?.headers[name], undefined, name)
  })

  it('keeps the signature headers when hide_credentials is false', async () => {
    const res = await send({ url: '/kept/x' })
    assert.equal(res.status, 200)
    assert.equal(upstream.seen.at(-1)?.headers['x-tg-appkey'], 'm-acme')
  })

  it('no signature at all: TG_SIGNATURE_MISSING with the challenge', async () => {
    const before = upstream.seen.length
    const res = await gateway.inject({ url: '/v1/orders' })
    await assertRefused(res, 'TG_SIGNATURE_MISSING', before)
    assert.match((res.json() as { error: { message: string } }).error.message, /no signature/)
  })

  it('each missing or empty signature header is named in the message', async () => {
    const before = upstream.seen.length
    for (const name of ['x-tg-appkey', 'x-tg-timestamp', 'x-tg-nonce', 'x-tg-signature']) {
      for (const value of [undefined, '']) {
        const headers = signFor({ url: '/v1/orders' })
        if (value === undefined) delete headers[name]
        else headers[name] = value
        const res = await send({ url: '/v1/orders' }, headers)
        await assertRefused(res, 'TG_SIGNATURE_MISSING', before)
        if (name !== 'x-tg-appkey' && name !== 'x-tg-signature') {
          assert.match((res.json() as { error: { message: string } }).error.message, new RegExp(name.replace('x-tg-', ''), 'i'))
        }
      }
    }
  })

  it('a timestamp outside ±300 s: TG_SIGNATURE_EXPIRED; at the edge it is accepted', async () => {
    const before = upstream.seen.length
    await assertRefused(await send({ url: '/v1/a', timestamp: nowMs - 300_001 }), 'TG_SIGNATURE_EXPIRED', before)
    await assertRefused(await send({ url: '/v1/a', timestamp: nowMs + 300_001 }), 'TG_SIGNATURE_EXPIRED', before)
    assert.equal((await send({ url: '/v1/a', timestamp: nowMs - 300_000 })).status, 200)
    assert.equal((await send({ url: '/v1/a', timestamp: nowMs + 300_000 })).status, 200)
  })

  it('clock_skew_seconds narrows the window', async () => {
    const before = upstream.seen.length
    await assertRefused(await send({ url: '/kept/a', timestamp: nowMs - 60_001 }), 'TG_SIGNATURE_EXPIRED', before)
  })

  it('the same nonce twice: TG_SIGNATURE_REPLAYED, even for an otherwise new request', async () => {
    const headers = signFor({ url: '/v1/pay', method: 'POST', body: '{"n":1}' })
    assert.equal((await send({ url: '/v1/pay', method: 'POST', body: '{"n":1}' }, headers)).status, 200)
    const before = upstream.seen.length
    await assertRefused(await send({ url: '/v1/pay', method: 'POST', body: '{"n":1}' }, headers), 'TG_SIGNATURE_REPLAYED', before)
    const reused = signFor({ url: '/v1/other', nonce: headers['x-tg-nonce'] })
    await assertRefused(await send({ url: '/v1/other' }, reused), 'TG_SIGNATURE_REPLAYED', before)
  })

  it('a replay after the window is refused as expired (the nonce need not be remembered longer)', async () => {
    const headers = signFor({ url: '/v1/late' })
    assert.equal((await send({ url: '/v1/late' }, headers)).status, 200)
    const before = upstream.seen.length
    nowMs += 300_001
    try {
      await assertRefused(await send({ url: '/v1/late' }, headers), 'TG_SIGNATURE_EXPIRED', before)
    } finally {
      nowMs = START_MS
    }
  })

  it('a refused signature does not use up its nonce', async () => {
    const nonce = nextNonce()
    const before = upstream.seen.length
    await assertRefused(await send({ url: '/v1/n', nonce, secret: 'wrong-secret-123' }), 'TG_SIGNATURE_INVALID', before)
    assert.equal((await send({ url: '/v1/n', nonce })).status, 200)
  })

  it('a signature for something else: TG_SIGNATURE_INVALID (path, query, method, body, secret)', async () => {
    const before = upstream.seen.length
    const signed = signFor({ url: '/v1/orders?page=1', method: 'POST', body: '{"a":1}' })
    const tampered: SignedRequest[] = [
      { url: '/v1/orderz?page=1', method: 'POST', body: '{"a":1}' },
      { url: '/v1/orders?page=2', method: 'POST', body: '{"a":1}' },
      { url: '/v1/orders?page=1&x=1', method: 'POST', body: '{"a":1}' },
      { url: '/v1/orders?page=1', method: 'PUT', body: '{"a":1}' },
      { url: '/v1/orders?page=1', method: 'POST', body: '{"a":2}' },
      { url: '/v1/orders?page=1', method: 'POST', body: '{"a":1} ' }
    ]
    for (const request of tampered) await assertRefused(await send(request, signed), 'TG_SIGNATURE_INVALID', before)
    await assertRefused(await send({ url: '/v1/orders', secret: 'not-the-secret-1' }), 'TG_SIGNATURE_INVALID', before)
    // Signed as another app key, sent as m-acme: the app key is part of the canonical string.
    const otherApp = signFor({ url: '/v1/orders', appKey: 'm-other', headers: { 'x-tg-appkey': 'm-acme' } })
    await assertRefused(await send({ url: '/v1/orders' }, otherApp), 'TG_SIGNATURE_INVALID', before)
  })

  it('malformed fields: TG_SIGNATURE_INVALID naming the field', async () => {
    const before = upstream.seen.length
    const cases: Array<[string, string, RegExp]> = [
      ['x-tg-timestamp', '2023-11-14T22:13:20Z', /Timestamp/],
      ['x-tg-nonce', 'short', /Nonce/],
      ['x-tg-nonce', 'has space in it 0123', /Nonce/],
      ['x-tg-signature', 'zz'.repeat(32), /Signature/],
      ['x-tg-signature', 'ab'.repeat(31), /Signature/]
    ]
    for (const [name, value, message] of cases) {
      const res = await send({ url: '/v1/orders' }, { ...signFor({ url: '/v1/orders' }), [name]: value })
      await assertRefused(res, 'TG_SIGNATURE_INVALID', before)
      assert.match((res.json() as { error: { message: string } }).error.message, message)
    }
  })

  it('an upper-case hex signature is accepted', async () => {
    const headers = signFor({ url: '/v1/upper' })
    headers['x-tg-signature'] = headers['x-tg-signature']?.toUpperCase() ?? ''
    assert.equal((await send({ url: '/v1/upper' }, headers)).status, 200)
  })

  it('an unknown app key, or a merchant without secrets: TG_SIGNATURE_UNKNOWN_APP', async () => {
    const before = upstream.seen.length
    await assertRefused(await send({ url: '/v1/orders', appKey: 'm-nobody' }), 'TG_SIGNATURE_UNKNOWN_APP', before)
    await assertRefused(await send({ url: '/v1/orders', appKey: 'm-keys-only' }), 'TG_SIGNATURE_UNKNOWN_APP', before)
  })

  it('a disabled merchant: TG_AUTH_MERCHANT_DISABLED, even with a good signature', async () => {
    const before = upstream.seen.length
    const res = await send({ url: '/v1/orders', appKey: 'm-frozen', secret: 'frozen-secret-1' })
    await assertRefused(res, 'TG_AUTH_MERCHANT_DISABLED', before)
    assert.match((res.json() as { error: { message: string } }).error.message, /app key/)
  })

  it('both secrets of a merchant verify during rotation, and the credential says which', async () => {
    for (const [secret, id] of [[SECRET, '2024-06'], [NEXT_SECRET, '2024-12']] as const) {
      const res = await send({ url: '/v1/rotate', secret })
      assert.equal(res.status, 200)
      assert.equal(upstream.seen.at(-1)?.headers['x-seen-credential'], `tg-hmac-sha256/${id}`)
    }
  })

  it('hashes the raw body bytes and sends them upstream unchanged, byte for byte', async () => {
    // Not valid UTF-8, a NUL, CRLF, and a 64-bit integer a JSON round trip would change.
    const body = Buffer.concat([Buffer.from('{"id":12345678901234567890,"x":"'), Buffer.from([0xff, 0xfe, 0x00, 0x0d, 0x0a, 0xc3]), Buffer.from('"}')])
    const res = await send({ url: '/v1/raw', method: 'POST', body })
    assert.equal(res.status, 200, res.body.toString())
    const seen = upstream.seen.at(-1)
    assert.ok(seen !== undefined && seen.body.equals(body), 'upstream received the exact bytes')
    assert.equal(seen?.headers['content-length'], String(body.length))
  })

  it('a body hashed as text instead of bytes does not verify', async () => {
    const body = Buffer.from([0x7b, 0xff, 0x7d])
    const before = upstream.seen.length
    const headers = signFor({ url: '/v1/raw', method: 'POST', body: body.toString('utf8') })
    await assertRefused(await send({ url: '/v1/raw', method: 'POST', body }, headers), 'TG_SIGNATURE_INVALID', before)
  })

  it('signs the decoded query: any valid encoding of the same pairs verifies; the upstream gets the query as sent', async () => {
    const headers = signFor({ url: '/v1/q?name=caf%C3%A9+au+lait&tag=b&tag=a' })
    const sent = '/v1/q?tag=b&name=caf%c3%a9%20au%20lait&tag=a'
    const res = await send({ url: sent }, headers)
    assert.equal(res.status, 200)
    assert.equal(upstream.seen.at(-1)?.url, sent)
  })

  it('JD md5 with 360buy_param_json in the query verifies; a replay of the same sign is refused', async () => {
    const url = '/router/api?' + compatQuery('md5', { method: 'jingdong.order.get', '360buy_param_json': '{"orderId":"42"}' })
    const res = await gateway.inject({ url })
    assert.equal(res.status, 200, res.body.toString())
    assert.equal(upstream.seen.at(-1)?.headers['x-seen-credential'], 'md5/2024-06')
    assert.equal(upstream.seen.at(-1)?.url, url, 'compatibility parameters reach the upstream')
    const before = upstream.seen.length
    await assertRefused(await gateway.inject({ url }), 'TG_SIGNATURE_REPLAYED', before)
  })

  it('JD md5 without sign_method is md5', async () => {
    const params = { app_key: 'm-acme', timestamp: gmt8(nowMs), method: 'jingdong.x', v: '2.0' }
    const query = new URLSearchParams({ ...params, sign: signCompatParams('md5', SECRET, params) }).toString()
    assert.equal((await gateway.inject({ url: '/router/api?' + query })).status, 200)
  })

  it('TOP hmac and hmac-sha256 verify, with the second secret too', async () => {
    for (const method of ['hmac', 'hmac-sha256'] as const) {
      for (const [secret, id] of [[SECRET, '2024-06'], [NEXT_SECRET, '2024-12']] as const) {
        const res = await gateway.inject({ url: '/router/api?' + compatQuery(method, { method: 'taobao.trade.get', nonce: nextNonce() }, secret) })
        assert.equal(res.status, 200, res.body.toString())
        assert.equal(upstream.seen.at(-1)?.headers['x-seen-credential'], `${method}/${id}`)
      }
    }
  })

  it('TOP parameters in a form body are signed with the query, and the body goes upstream unchanged', async () => {
    const params = { app_key: 'm-acme', timestamp: gmt8(nowMs), v: '2.0', sign_method: 'hmac-sha256', method: 'taobao.trade.add', title: 'café au lait' }
    const sign = signCompatParams('hmac-sha256', SECRET, { ...params, format: 'json' })
    const body = new URLSearchParams({ ...params, sign }).toString()
    const res = await gateway.inject({ method: 'POST', url: '/router/api?format=json', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body })
    assert.equal(res.status, 200, res.body.toString())
    assert.equal(upstream.seen.at(-1)?.body.toString(), body)
  })

  it('a compatibility timestamp outside the window, or unparseable, is refused', async () => {
    const before = upstream.seen.length
    const old = { app_key: 'm-acme', timestamp: gmt8(nowMs - 301_000), sign_method: 'md5' }
    await assertRefused(await gateway.inject({ url: '/router/api?' + new URLSearchParams({ ...old, sign: signCompatParams('md5', SECRET, old) }).toString() }), 'TG_SIGNATURE_EXPIRED', before)
    const bad = { app_key: 'm-acme', timestamp: '2023-02-31 00:00:00', sign_method: 'md5' }
    await assertRefused(await gateway.inject({ url: '/router/api?' + new URLSearchParams({ ...bad, sign: signCompatParams('md5', SECRET, bad) }).toString() }), 'TG_SIGNATURE_INVALID', before)
  })

  it('compatibility refusals: missing sign, unknown app, wrong secret, repeated parameter, sign_method not accepted', async () => {
    const before = upstream.seen.length
    await assertRefused(await gateway.inject({ url: '/router/api' }), 'TG_SIGNATURE_MISSING', before)
    await assertRefused(await gateway.inject({ url: '/router/api?app_key=m-acme&timestamp=1' }), 'TG_SIGNATURE_MISSING', before)
    const unknown = { app_key: 'm-nobody', timestamp: gmt8(nowMs), sign_method: 'md5' }
    await assertRefused(await gateway.inject({ url: '/router/api?' + new URLSearchParams({ ...unknown, sign: signCompatParams('md5', SECRET, unknown) }).toString() }), 'TG_SIGNATURE_UNKNOWN_APP', before)
    await assertRefused(await gateway.inject({ url: '/router/api?' + compatQuery('md5', { n: '1' }, 'wrong-secret-99') }), 'TG_SIGNATURE_INVALID', before)
    await assertRefused(await gateway.inject({ url: '/router/api?' + compatQuery('md5', { n: '2' }) + '&n=3' }), 'TG_SIGNATURE_INVALID', before)
    const sha1 = { app_key: 'm-acme', timestamp: gmt8(nowMs), sign_method: 'sha1', sign: 'AB'.repeat(20) }
    await assertRefused(await gateway.inject({ url: '/router/api?' + new URLSearchParams(sha1).toString() }), 'TG_SIGNATURE_INVALID', before)
  })

  it('a route accepting only tg-hmac-sha256 ignores compatibility parameters', async () => {
    const before = upstream.seen.length
    await assertRefused(await gateway.inject({ url: '/v1/api?' + compatQuery('md5', { n: '4' }) }), 'TG_SIGNATURE_MISSING', before)
  })

  it('a route accepting only md5 refuses hmac-sha256 as not accepted here', async () => {
    const before = upstream.seen.length
    const res = await gateway.inject({ url: '/both/api?' + compatQuery('hmac-sha256', { n: '5' }) })
    await assertRefused(res, 'TG_SIGNATURE_INVALID', before)
    assert.match((res.json() as { error: { message: string } }).error.message, /sign_method/)
  })

  it('a route with both: tg headers pick tg-hmac-sha256, otherwise the parameters are checked', async () => {
    assert.equal((await send({ url: '/both/x?a=1' })).status, 200)
    assert.equal(upstream.seen.at(-1)?.headers['x-seen-credential'], 'tg-hmac-sha256/2024-06')
    assert.equal((await gateway.inject({ url: '/both/x?' + compatQuery('md5', { n: '6' }) })).status, 200)
    assert.equal(upstream.seen.at(-1)?.headers['x-seen-credential'], 'md5/2024-06')
    const before = upstream.seen.length
    await assertRefused(await gateway.inject({ url: '/both/x' }), 'TG_SIGNATURE_MISSING', before)
  })
})

describe('merchant-signature phase method, without the gateway', () => {
  const acme: SigningApp = { merchant: makeMerchant('m-acme'), secrets: [{ id: '2024-06', secret: SECRET }] }
  const validate = compileConfigValidator(merchantSignatureSchema)

  function compile (merchants: MerchantDirectory, options: MerchantSignatureOptions = {}): { plugin: ReturnType<typeof createMerchantSignature>, state: MerchantSignatureState } {
    const checked = validate({})
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    const built = createMerchantSignature({ now: () => START_MS, ...options })
    return { plugin: built, state: built.compile!(checked.config, makeEnv({ merchants })) }
  }

  const syncDirectory: MerchantDirectory = {
    findByApiKey: () => undefined,
    findSigningApp: (appKey) => appKey === 'm-acme' ? acme : undefined,
    findJwtKeys: () => undefined,
    findById: () => undefined
  }

  function signedContext (init: { method?: string, body?: Buffer } = {}) {
    const headers = signRequest({ appKey: 'm-acme', secret: SECRET, method: init.method ?? 'GET', path: '/v1/x', body: init.body, timestamp: START_MS, nonce: nextNonce() })
    return makeContext({ request: { method: init.method ?? 'GET', path: '/v1/x', headers: { ...headers }, body: init.body } })
  }

  it('a bodiless request with an in-memory directory is verified synchronously', () => {
    const { plugin: built, state } = compile(syncDirectory)
    const ctx = signedContext()
    const result = built.access!(ctx, state)
    assert.equal(result, undefined)
    assert.deepEqual(ctx.identified, [acme.merchant])
    assert.deepEqual(ctx.slots.credential, { kind: 'signature', scheme: 'tg-hmac-sha256', secretId: '2024-06' })
    assert.equal(ctx.request.headers.get('x-tg-signature'), undefined)
  })

  it('a request with a body returns a promise (the body is read) with the same outcome', async () => {
    const { plugin: built, state } = compile(syncDirectory)
    const ctx = signedContext({ method: 'POST', body: Buffer.from('{"a":1}') })
    const result = built.access!(ctx, state)
    assert.ok(result instanceof Promise)
    assert.equal(await result, undefined)
    assert.deepEqual(ctx.identified, [acme.merchant])
  })

  it('a promise-returning directory is awaited', async () => {
    const { plugin: built, state } = compile({ ...syncDirectory, findSigningApp: async (appKey) => appKey === 'm-acme' ? acme : undefined })
    const ctx = signedContext()
    const result = built.access!(ctx, state)
    assert.ok(result instanceof Promise)
    assert.equal(await result, undefined)
    assert.equal(ctx.merchant, acme.merchant)
  })

  it('an expired or missing signature never calls the directory', () => {
    let calls = 0
    const { plugin: built, state } = compile({ ...syncDirectory, findSigningApp: () => { calls++; return acme } })
    assert.equal((built.access!(makeContext({}), state) as { code: string }).code, 'TG_SIGNATURE_MISSING')
    const stale = signRequest({ appKey: 'm-acme', secret: SECRET, method: 'GET', path: '/v1/x', timestamp: START_MS - 400_000, nonce: nextNonce() })
    assert.equal((built.access!(makeContext({ request: { path: '/v1/x', headers: { ...stale } } }), state) as { code: string }).code, 'TG_SIGNATURE_EXPIRED')
    assert.equal(calls, 0)
  })

  it('a failing directory rejects, so the runner answers 500 (fail closed)', async () => {
    const { plugin: built, state } = compile({ ...syncDirectory, findSigningApp: async () => { throw new Error('config service down') } })
    const ctx = signedContext()
    await assert.rejects(built.access!(ctx, state) as Promise<unknown>, /config service down/)
    assert.deepEqual(ctx.identified, [])
  })

  it('an injected nonce store is asked with the app key, nonce and the end of the window', async () => {
    const calls: Array<[string, number, number]> = []
    const store: NonceStore = { remember: async (key, expiresAtMs, nowAt) => { calls.push([key, expiresAtMs, nowAt]); return calls.length === 1 } }
    const { plugin: built, state } = compile(syncDirectory, { nonceStore: store })
    const ctx = signedContext()
    assert.equal(await built.access!(ctx, state), undefined)
    const nonce = `nonce-${String(nonceCounter).padStart(16, '0')}`
    assert.deepEqual(calls, [[`tg\nm-acme\n${nonce}`, START_MS + 300_000, START_MS]])
    const again = signedContext()
    assert.equal(((await built.access!(again, state)) as { code: string }).code, 'TG_SIGNATURE_REPLAYED')
    assert.deepEqual(again.identified, [])
  })

  it('a failing nonce store rejects (fail closed) and identifies nobody', async () => {
    const store: NonceStore = { remember: async () => { throw new Error('redis down') } }
    const { plugin: built, state } = compile(syncDirectory, { nonceStore: store })
    const ctx = signedContext()
    await assert.rejects(built.access!(ctx, state) as Promise<unknown>, /redis down/)
    assert.deepEqual(ctx.identified, [])
  })

  it('bindings with the same nonce_cache_size share one worker store, released on destroy', () => {
    const built = createMerchantSignature({ now: () => START_MS })
    const checked = validate({})
    if (!checked.ok) throw new Error('invalid')
    const first = built.compile!(checked.config, makeEnv({ merchants: syncDirectory }))
    const second = built.compile!(checked.config, makeEnv({ merchants: syncDirectory }))
    assert.equal(first.nonces, second.nonces)
    const ctx = signedContext()
    const headers = ctx.request.headers.toObject() as Record<string, string>
    assert.equal(built.access!(ctx, first), undefined)
    const replay = makeContext({ request: { path: '/v1/x', headers } })
    assert.equal((built.access!(replay, second) as { code: string }).code, 'TG_SIGNATURE_REPLAYED')
    built.destroy!(first)
    built.destroy!(second)
    const third = built.compile!(checked.config, makeEnv({ merchants: syncDirectory }))
    assert.notEqual(third.nonces, first.nonces)
  })

  it('the plugin sits in the authentication band', () => {
    assert.equal(plugin.name, 'merchant-signature')
    assert.equal(plugin.priority, 3000)
  })
})

describe('merchant-signature and the body limit', () => {
  const upstream = new UpstreamServer()
  let gateway: InProcessGateway

  before(async () => {
    const port = await upstream.listen()
    gateway = new InProcessGateway({ plugins: [plugin, echo] }).load({ ...document(port), gateway: { limits: { max_body_bytes: 16 } } })
  })
  after(async () => {
    await gateway.close()
    await upstream.close()
  })

  it('a body over the limit is refused with 413 before it is hashed, and nothing is proxied', async () => {
    const body = Buffer.alloc(17, 0x61)
    const res = await gateway.inject({ method: 'POST', url: '/v1/big', headers: signFor({ url: '/v1/big', method: 'POST', body }), body })
    assert.equal(res.status, 413)
    assert.equal(errorCode(res), 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(upstream.seen.length, 0)
    const small = Buffer.alloc(16, 0x61)
    assert.equal((await gateway.inject({ method: 'POST', url: '/v1/big', headers: signFor({ url: '/v1/big', method: 'POST', body: small }), body: small })).status, 200)
  })
})
