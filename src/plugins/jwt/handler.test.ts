import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import type { JwtKeySet, MerchantDirectory } from '../../kit/merchant.js'
import { importJwtKey } from '../_shared/jwt-key.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { InProcessGateway } from '../../testing/inject.js'
import { makeContext, makeEnv, makeMerchant } from '../../../test/support/plugin-context.js'
import { createJwt } from './handler.js'
import { jwtSchema } from './schema.js'
import { epochSeconds, makeToken, makeTokenWithOpenssl, opensslKeys } from './test-tokens.js'

const keys = opensslKeys()
const SECRET = 'a-shared-secret-of-at-least-32-characters!'
const NOW = epochSeconds()

// `reached` answers in the content phase with the merchant and the credential the jwt plugin set.
const reached = definePlugin({
  name: 'reached', version: '1', priority: PRIORITY.transformation, schema: Type.Object({}),
  content (ctx) {
    const credential = ctx.slots.credential
    return { status: 200, body: JSON.stringify({ merchant: ctx.merchant?.id, kid: credential?.kind === 'jwt' ? credential.kid : undefined, auth: ctx.request.headers.get('authorization') ?? null }) }
  }
})

const ALGORITHMS: Array<{ alg: string, signingKey: string, declared: object }> = [
  ...['HS256', 'HS384', 'HS512'].map((alg) => ({ alg, signingKey: SECRET, declared: { secret: SECRET } })),
  ...['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'].map((alg) => ({ alg, signingKey: keys.rsa.privatePem, declared: { public_key_pem: keys.rsa.publicPem } })),
  { alg: 'ES256', signingKey: keys.p256.privatePem, declared: { public_key_pem: keys.p256.publicPem } },
  { alg: 'ES384', signingKey: keys.p384.privatePem, declared: { public_key_pem: keys.p384.publicPem } },
  { alg: 'EdDSA', signingKey: keys.ed25519.privatePem, declared: { public_key_pem: keys.ed25519.publicPem } }
]

const claims = (sub: string, extra: object = {}) => ({ sub, iss: 'https://issuer.test', aud: 'orders-api', iat: NOW, exp: NOW + 300, ...extra })

const document = {
  services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: 9 }] }],
  routes: [
    { id: 'api', service: 's1', paths: ['/api/*'] },
    { id: 'hidden', service: 's1', paths: ['/hidden/*'] },
    { id: 'cookie', service: 's1', paths: ['/cookie/*'] }
  ],
  merchants: [
    // One merchant per algorithm, each with one key declared for it.
    ...ALGORITHMS.map(({ alg, declared }) => ({ id: `m-${alg.toLowerCase()}`, credentials: { jwt_keys: [{ algorithm: alg, ...declared }] } })),
    // Rotation: two RS256 keys with kids.
    { id: 'rotating', credentials: { jwt_keys: [{ kid: 'old', algorithm: 'RS256', public_key_pem: keys.rsa.publicPem }, { kid: 'new', algorithm: 'RS256', public_key_pem: keys.rsa2.publicPem }] } },
    { id: 'frozen', status: 'disabled', credentials: { jwt_keys: [{ algorithm: 'HS256', secret: SECRET }] } },
    { id: 'keyless' }
  ],
  plugins: [
    { name: 'reached' },
    { name: 'jwt', route: 'api', config: { issuers: ['https://issuer.test'], audiences: ['orders-api'], clock_skew_seconds: 30 } },
    { name: 'jwt', route: 'hidden', config: { hide_credentials: true } },
    { name: 'jwt', route: 'cookie', config: { cookie: 'tg_token', query_param: 'access_token', hide_credentials: true } }
  ]
}

interface Answer { status: number, code?: string, merchant?: string, kid?: string, auth?: string | null, challenge?: string }

describe('jwt through the in-process gateway (merchant keys, tokens signed without jose)', () => {
  const gateway = new InProcessGateway({ plugins: [reached] }).load(document)
  after(() => gateway.close())

  async function call (url: string, token?: string, headers: Record<string, string> = {}): Promise<Answer> {
    const res = await gateway.inject({ url, headers: token === undefined ? headers : { authorization: `Bearer ${token}`, ...headers } })
    if (res.status === 200) return { status: 200, ...(res.json() as object) }
    return { status: res.status, code: (res.json() as { error: { code: string } }).error.code, challenge: res.headers['www-authenticate'] }
  }

  for (const { alg, signingKey } of ALGORITHMS) {
    it(`verifies ${alg} and identifies the merchant named by sub`, async () => {
      const merchant = `m-${alg.toLowerCase()}`
      const answer = await call('/api/x', makeToken(alg, signingKey, claims(merchant)))
      assert.equal(answer.status, 200, JSON.stringify(answer))
      assert.equal(answer.merchant, merchant)
    })
  }

  it('verifies a token whose RS256 signature was made by `openssl dgst -sign`', async () => {
    const answer = await call('/api/x', makeTokenWithOpenssl(keys.rsa.privatePem, claims('m-rs256')))
    assert.deepEqual([answer.status, answer.merchant], [200, 'm-rs256'])
  })

  it('picks the key by kid during rotation, and either key verifies', async () => {
    assert.equal((await call('/api/x', makeToken('RS256', keys.rsa.privatePem, claims('rotating'), 'old'))).kid, 'old')
    assert.equal((await call('/api/x', makeToken('RS256', keys.rsa2.privatePem, claims('rotating'), 'new'))).kid, 'new')
    assert.equal((await call('/api/x', makeToken('RS256', keys.rsa2.privatePem, claims('rotating')))).kid, 'new', 'no kid: every key is tried')
    assert.equal((await call('/api/x', makeToken('RS256', keys.rsa2.privatePem, claims('rotating'), 'old'))).code, 'TG_JWT_SIGNATURE_INVALID')
    assert.equal((await call('/api/x', makeToken('RS256', keys.rsa.privatePem, claims('rotating'), 'other'))).code, 'TG_JWT_KEY_UNKNOWN')
  })

  it('refuses a missing token with 401 TG_JWT_MISSING and a Bearer challenge', async () => {
    assert.deepEqual(await call('/api/x'), { status: 401, code: 'TG_JWT_MISSING', challenge: 'Bearer realm="tollgate"' })
  })

  it('refuses a malformed token or a non-Bearer Authorization with TG_JWT_MALFORMED', async () => {
    const refused = await call('/api/x', 'not.a-jwt')
    assert.deepEqual([refused.status, refused.code, refused.challenge], [401, 'TG_JWT_MALFORMED', 'Bearer realm="tollgate", error="invalid_token"'])
    assert.equal((await call('/api/x', undefined, { authorization: 'Basic dXNlcjpwYXNz' })).code, 'TG_JWT_MALFORMED')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, { iss: 'https://issuer.test', aud: 'orders-api', exp: NOW + 60 }))).code, 'TG_JWT_MALFORMED', 'no sub')
  })

  it('refuses a tampered payload and a token signed with another key with TG_JWT_SIGNATURE_INVALID', async () => {
    const [header, , signature] = makeToken('ES256', keys.p256.privatePem, claims('m-es256')).split('.')
    const forged = `${header as string}.${Buffer.from(JSON.stringify(claims('m-es256', { exp: NOW + 99999 }))).toString('base64url')}.${signature as string}`
    assert.equal((await call('/api/x', forged)).code, 'TG_JWT_SIGNATURE_INVALID')
    assert.equal((await call('/api/x', makeToken('HS256', `${SECRET}-other`, claims('m-hs256')))).code, 'TG_JWT_SIGNATURE_INVALID')
  })

  it('refuses algorithm confusion: an HS256 token "signed" with the merchant\'s RSA public key', async () => {
    assert.equal((await call('/api/x', makeToken('HS256', keys.rsa.publicPem, claims('m-rs256')))).code, 'TG_JWT_KEY_UNKNOWN')
  })

  it('refuses alg none', async () => {
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims('m-hs256'))).toString('base64url')}.`
    assert.equal((await call('/api/x', none)).code, 'TG_JWT_KEY_UNKNOWN')
  })

  it('applies exp and nbf with the clock skew', async () => {
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { exp: NOW - 60 })))).code, 'TG_JWT_EXPIRED')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { exp: NOW - 10 })))).status, 200, 'within 30 s of skew')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { nbf: NOW + 120 })))).code, 'TG_JWT_NOT_YET_VALID')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { nbf: NOW + 10 })))).status, 200)
  })

  it('requires exp by default', async () => {
    const { exp: _exp, ...noExp } = claims('m-hs256')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, noExp))).code, 'TG_JWT_EXPIRED')
  })

  it('checks iss and aud', async () => {
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { iss: 'https://evil.test' })))).code, 'TG_JWT_ISSUER_INVALID')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { aud: ['other-api'] })))).code, 'TG_JWT_AUDIENCE_INVALID')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('m-hs256', { aud: ['other-api', 'orders-api'] })))).status, 200)
  })

  it('refuses an unknown merchant, a merchant without keys, and a disabled merchant (after verifying)', async () => {
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('nobody')))).code, 'TG_JWT_MERCHANT_UNKNOWN')
    assert.equal((await call('/api/x', makeToken('HS256', SECRET, claims('keyless')))).code, 'TG_JWT_KEY_UNKNOWN')
    const frozen = await call('/api/x', makeToken('HS256', SECRET, claims('frozen')))
    assert.deepEqual([frozen.status, frozen.code], [401, 'TG_AUTH_MERCHANT_DISABLED'])
  })

  it('hide_credentials removes the token before proxying; it is kept otherwise', async () => {
    const token = makeToken('HS256', SECRET, claims('m-hs256'))
    assert.equal((await call('/hidden/x', token)).auth, null)
    assert.equal((await call('/api/x', token)).auth, `Bearer ${token}`)
  })

  it('finds the token in a query parameter or a cookie when the header is absent', async () => {
    const token = makeToken('HS256', SECRET, claims('m-hs256'))
    const byQuery = await gateway.inject({ url: `/cookie/x?access_token=${token}` })
    assert.equal((byQuery.json() as { merchant: string }).merchant, 'm-hs256')
    const byCookie = await gateway.inject({ url: '/cookie/x', headers: { cookie: `a=1; tg_token=${token}` } })
    assert.equal((byCookie.json() as { merchant: string }).merchant, 'm-hs256')
  })
})

describe('jwt handler', () => {
  const validate = compileConfigValidator(jwtSchema)
  const merchant = makeMerchant('m1')
  const imported = importJwtKey({ algorithm: 'HS256', secret: SECRET })
  assert.ok('key' in imported)
  const keySet: JwtKeySet = { merchant, keys: [{ kid: undefined, algorithm: 'HS256', key: imported.key }] }

  function stateWith (merchants: MerchantDirectory, config: object = {}) {
    const checked = validate(config)
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    const plugin = createJwt({ now: () => NOW * 1000 })
    return { plugin, state: plugin.compile!(checked.config, makeEnv({ merchants })) }
  }

  it('stays synchronous for refusals that need no lookup or a synchronous one', () => {
    const { plugin, state } = stateWith({ findByApiKey: () => undefined, findSigningApp: () => undefined, findJwtKeys: () => undefined, findById: () => undefined })
    assert.deepEqual(plugin.access!(makeContext(), state), { code: 'TG_JWT_MISSING', headers: { 'www-authenticate': 'Bearer realm="tollgate"' } })
    const unknown = plugin.access!(makeContext({ request: { headers: { authorization: `Bearer ${makeToken('HS256', SECRET, claims('m1'))}` } } }), state)
    assert.equal((unknown as { code: string }).code, 'TG_JWT_MERCHANT_UNKNOWN')
  })

  it('works with a directory that answers with promises', async () => {
    let lookups = 0
    const { plugin, state } = stateWith({
      findByApiKey: async () => undefined,
      findSigningApp: async () => undefined,
      findJwtKeys: async (id) => { lookups++; return id === 'm1' ? keySet : undefined },
      findById: async (id) => id === 'm1' ? merchant : undefined
    })
    const ctx = makeContext({ request: { headers: { authorization: `Bearer ${makeToken('HS256', SECRET, claims('m1'))}` } } })
    assert.equal(await plugin.access!(ctx, state), undefined)
    assert.deepEqual(ctx.identified.map((m) => m.id), ['m1'])
    assert.deepEqual(ctx.slots.credential, { kind: 'jwt', algorithm: 'HS256', kid: undefined, issuer: 'https://issuer.test' })
    assert.equal(lookups, 1)
  })

  it('a custom header without Bearer prefix and a merchant claim other than sub', async () => {
    const directory: MerchantDirectory = { findByApiKey: () => undefined, findSigningApp: () => undefined, findJwtKeys: (id) => id === 'm1' ? keySet : undefined, findById: () => undefined }
    const { plugin, state } = stateWith(directory, { header: 'X-Merchant-Token', merchant_claim: 'mid' })
    const ctx = makeContext({ request: { headers: { 'x-merchant-token': makeToken('HS256', SECRET, { mid: 'm1', exp: NOW + 10 }) } } })
    assert.equal(await plugin.access!(ctx, state), undefined)
    assert.equal(ctx.merchant?.id, 'm1')
  })

  it('refuses a config that could never verify a token', () => {
    assert.throws(() => stateWith({ findByApiKey: () => undefined, findSigningApp: () => undefined, findJwtKeys: () => undefined, findById: () => undefined }, { merchant_keys: false }), /no token could ever verify/)
  })
})
