import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { InProcessGateway } from '../../testing/inject.js'
import { makeContext } from '../../../test/support/plugin-context.js'
import { UpstreamServer } from '../../../test/support/upstream-server.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { cors } from './handler.js'
import { corsSchema } from './schema.js'

const validate = compileConfigValidator(corsSchema)
function stateOf (config: object) {
  const checked = validate(config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return cors.compile!(checked.config, undefined as never)
}

const SHOP = 'https://shop.example.com'
const preflight = (origin: string, method = 'PUT', extra: Record<string, string> = {}) => ({
  method: 'OPTIONS', headers: { origin, 'access-control-request-method': method, ...extra }
})

describe('cors through the in-process gateway', () => {
  // The upstream says what it saw and sets its own, looser CORS header: the route's policy must win.
  const upstream = new UpstreamServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'access-control-allow-origin': '*', vary: 'Accept-Encoding' })
    res.end(`${req.method ?? ''} upstream`)
  })
  let gateway: InProcessGateway
  before(async () => {
    const port = await upstream.listen()
    gateway = new InProcessGateway().load({
      services: [{ id: 's1', targets: [{ host: '127.0.0.1', port }] }],
      routes: [
        { id: 'orders', service: 's1', paths: ['/orders/*'], methods: ['GET', 'PUT'] },
        { id: 'public', service: 's1', paths: ['/public/*'] },
        { id: 'plain', service: 's1', paths: ['/plain/*'] }
      ],
      merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'key-m1-000001' }] } }],
      plugins: [
        { name: 'cors', route: 'orders', config: { origins: [SHOP, 'https://*.partner.test'], credentials: true, allowed_headers: ['*'], exposed_headers: ['x-request-id', 'ratelimit-remaining'], max_age_seconds: 300 } },
        { name: 'key-auth', route: 'orders' },
        { name: 'cors', route: 'public', config: { origins: ['*'], allowed_headers: ['content-type'] } }
      ]
    })
  })
  after(async () => { await gateway.close(); await upstream.close() })

  it('answers a preflight at the gateway with 204 and the allow headers, never proxied, before key-auth', async () => {
    const seen = upstream.seen.length
    const res = await gateway.inject({ url: '/orders/1', ...preflight(SHOP, 'PUT', { 'access-control-request-headers': 'x-custom, content-type' }) })
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], SHOP)
    assert.equal(res.headers['access-control-allow-credentials'], 'true')
    assert.equal(res.headers['access-control-allow-methods'], 'GET, HEAD, POST, PUT, PATCH, DELETE')
    assert.equal(res.headers['access-control-allow-headers'], 'x-custom, content-type')
    assert.equal(res.headers['access-control-max-age'], '300')
    assert.equal(res.headers.vary, 'Origin, Access-Control-Request-Headers')
    assert.equal(upstream.seen.length, seen)
  })

  it('routes a preflight by the requested method: a route without OPTIONS in its methods still gets it', async () => {
    const res = await gateway.inject({ url: '/orders/1', ...preflight('https://a.b.partner.test', 'GET') })
    assert.equal(res.status, 204)
    assert.equal(res.headers['access-control-allow-origin'], 'https://a.b.partner.test')
  })

  it('refuses the preflight of a disallowed origin with 403 TG_CORS_ORIGIN_FORBIDDEN and no allow headers', async () => {
    const res = await gateway.inject({ url: '/orders/1', ...preflight('https://evil.test') })
    assert.equal(res.status, 403)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_CORS_ORIGIN_FORBIDDEN')
    assert.equal(Object.keys(res.headers).filter((h) => h.startsWith('access-control-')).length, 0)
    assert.equal(res.headers.vary, 'Origin')
  })

  it('adds the CORS headers to an allowed origin\'s actual request, replacing the upstream\'s, with Vary: Origin', async () => {
    const res = await gateway.inject({ url: '/orders/1', headers: { origin: SHOP, apikey: 'key-m1-000001' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'GET upstream')
    assert.equal(res.headers['access-control-allow-origin'], SHOP)
    assert.equal(res.headers['access-control-allow-credentials'], 'true')
    assert.equal(res.headers['access-control-expose-headers'], 'x-request-id, ratelimit-remaining')
    assert.equal(res.headers.vary, 'Accept-Encoding, Origin')
  })

  it('adds them to the gateway\'s own error replies too: key-auth\'s 401 is readable by the page', async () => {
    const res = await gateway.inject({ url: '/orders/1', headers: { origin: SHOP } })
    assert.equal(res.status, 401)
    assert.equal(res.headers['access-control-allow-origin'], SHOP)
    assert.equal(res.headers['access-control-allow-credentials'], 'true')
    assert.equal(res.headers.vary, 'Origin')
  })

  it('gives a disallowed origin no CORS headers, removing the upstream\'s', async () => {
    const res = await gateway.inject({ url: '/orders/1', headers: { origin: 'https://evil.test', apikey: 'key-m1-000001' } })
    assert.equal(res.status, 200)
    assert.equal(res.headers['access-control-allow-origin'], undefined)
    assert.equal(res.headers.vary, 'Accept-Encoding, Origin')
  })

  it('sends a literal * without Vary when every origin is allowed and credentials are not', async () => {
    const res = await gateway.inject({ url: '/public/x', headers: { origin: 'https://any.test' } })
    assert.equal(res.headers['access-control-allow-origin'], '*')
    assert.equal(res.headers['access-control-allow-credentials'], undefined)
    assert.equal(res.headers.vary, 'Accept-Encoding')
    const pre = await gateway.inject({ url: '/public/x', ...preflight('https://any.test', 'POST', { 'access-control-request-headers': 'content-type, x-other' }) })
    assert.equal(pre.status, 204)
    assert.equal(pre.headers['access-control-allow-origin'], '*')
    assert.equal(pre.headers['access-control-allow-headers'], 'content-type')
    assert.equal(pre.headers.vary, undefined)
  })

  it('leaves OPTIONS alone on a route without cors: it is proxied like any method', async () => {
    const res = await gateway.inject({ url: '/plain/x', ...preflight(SHOP) })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'OPTIONS upstream')
  })
})

describe('cors handler', () => {
  it('echoes the origin instead of * when credentials are allowed (Fetch forbids * with credentials)', () => {
    const state = stateOf({ origins: ['*'], credentials: true })
    const ctx = makeContext({ request: { headers: { origin: 'https://x.test' } }, response: {} })
    cors.headerFilter!(ctx, state)
    assert.equal(ctx.response?.headers.get('access-control-allow-origin'), 'https://x.test')
    assert.equal(ctx.response?.headers.get('access-control-allow-credentials'), 'true')
    assert.equal(ctx.response?.headers.get('vary'), 'Origin')
    const reply = cors.access!(makeContext({ request: { method: 'OPTIONS', headers: { origin: 'https://x.test', 'access-control-request-method': 'GET' } } }), state)
    assert.equal((reply as { headers: Record<string, string> }).headers['access-control-allow-origin'], 'https://x.test')
  })

  it('lets a request without Origin through untouched, apart from Vary', () => {
    const state = stateOf({ origins: [SHOP] })
    assert.equal(cors.access!(makeContext({ request: { method: 'OPTIONS' } }), state), undefined)
    const ctx = makeContext({ response: { headers: { vary: 'Origin' } } })
    cors.headerFilter!(ctx, state)
    assert.deepEqual(ctx.response?.headers.toObject(), { vary: 'Origin' })
  })

  it('does not treat an OPTIONS without Access-Control-Request-Method as a preflight', () => {
    const state = stateOf({ origins: [SHOP] })
    assert.equal(cors.access!(makeContext({ request: { method: 'OPTIONS', headers: { origin: SHOP } } }), state), undefined)
  })

  it('refuses a bad regex when the config compiles', () => {
    assert.throws(() => stateOf({ origins: ['~(('] }), /not a valid regular expression/)
  })

  it('sits between the security and authentication bands', () => {
    assert.ok(cors.priority < 4000 && cors.priority > 3000)
  })
})
