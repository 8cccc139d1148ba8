// jwt through a real gateway process, with the JWKS served by a real local HTTP server and tokens
// signed with node:crypto over keys the openssl command line generated.
import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import type { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'
import { epochSeconds, makeToken, opensslKeys, publicJwk } from '../../src/plugins/jwt/test-tokens.js'

const keys = opensslKeys()
const SECRET = 'merchant-hs256-secret-0123456789abcdef'

describe('jwt in a real gateway with a JWKS server', () => {
  const upstream = new UpstreamServer((req, res) => res.end(JSON.stringify({ auth: req.headers.authorization ?? null })))
  // The issuer's JWKS; `jwks` is what it serves now, `fetches` counts requests.
  let jwks: object = { keys: [publicJwk(keys.p256.publicPem, 'k1', 'ES256')] }
  let fetches = 0
  const issuer = http.createServer((_req, res) => {
    fetches++
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(jwks))
  })
  let jwksUrl = ''
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve))
    jwksUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}/.well-known/jwks.json`
    ;({ gateway, port } = await startSuiteGateway(upstream, {
      merchants: [
        { id: 'acme', credentials: { jwt_keys: [{ algorithm: 'HS256', secret: SECRET }] } },
        { id: 'globex' },
        { id: 'frozen', status: 'disabled' }
      ],
      plugins: [{ name: 'jwt', config: { jwks_urls: [jwksUrl], jwks_refresh_interval_seconds: 1, issuers: ['https://id.test'], hide_credentials: true } }]
    }))
  })

  after(async () => {
    await stopSuiteGateway(gateway, upstream)
    issuer.closeAllConnections()
    await new Promise((resolve) => issuer.close(resolve))
  })

  const claims = (sub: string) => ({ sub, iss: 'https://id.test', exp: epochSeconds() + 300 })
  async function call (token?: string): Promise<string> {
    const res = await request(port, { path: '/x', headers: token === undefined ? {} : { authorization: `Bearer ${token}` } })
    return res.status === 200 ? `200 ${res.body.toString()}` : `${res.status} ${(res.json() as { error: { code: string } }).error.code}`
  }

  it('verifies a token with a key from the JWKS and maps sub to the merchant; the token is not proxied', async () => {
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('globex'), 'k1')), '200 {"auth":null}')
    assert.ok(fetches >= 1)
  })

  it('verifies with the merchant\'s own key too', async () => {
    assert.equal(await call(makeToken('HS256', SECRET, claims('acme'))), '200 {"auth":null}')
  })

  it('refuses what it must: no token, bad signature, unknown merchant, disabled merchant', async () => {
    assert.equal(await call(), '401 TG_JWT_MISSING')
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('globex'), 'k1').replace(/\.[^.]+$/, '.AAAA')), '401 TG_JWT_SIGNATURE_INVALID')
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('nobody'), 'k1')), '401 TG_JWT_MERCHANT_UNKNOWN')
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('frozen'), 'k1')), '401 TG_AUTH_MERCHANT_DISABLED')
  })

  it('picks up a rotated key: an unknown kid fetches the JWKS again', async () => {
    jwks = { keys: [publicJwk(keys.p256.publicPem, 'k1', 'ES256'), publicJwk(keys.ed25519.publicPem, 'k2')] }
    await new Promise((resolve) => setTimeout(resolve, 1100)) // past the 1 s refresh interval
    const before = fetches
    assert.equal(await call(makeToken('EdDSA', keys.ed25519.privatePem, claims('globex'), 'k2')), '200 {"auth":null}')
    assert.equal(fetches, before + 1)
  })

  it('does not fetch again for a forged kid within the refresh interval', async () => {
    const before = fetches
    assert.equal(await call(makeToken('EdDSA', keys.ed25519.privatePem, claims('globex'), 'forged-1')), '401 TG_JWT_KEY_UNKNOWN')
    assert.equal(await call(makeToken('EdDSA', keys.ed25519.privatePem, claims('globex'), 'forged-2')), '401 TG_JWT_KEY_UNKNOWN')
    assert.ok(fetches <= before + 1, `at most one fetch, saw ${fetches - before}`)
  })

  it('keeps verifying with the keys in hand when the JWKS server answers 500', async () => {
    issuer.removeAllListeners('request')
    issuer.on('request', (_req: http.IncomingMessage, res: http.ServerResponse) => { fetches++; res.writeHead(500); res.end() })
    await new Promise((resolve) => setTimeout(resolve, 1100))
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('globex'), 'unknown-kid')), '401 TG_JWT_KEY_UNKNOWN')
    assert.equal(await call(makeToken('ES256', keys.p256.privatePem, claims('globex'), 'k1')), '200 {"auth":null}')
  })
})
