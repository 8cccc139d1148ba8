import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { signCompatParams, signRequest } from '../../src/plugins/merchant-signature/sign.js'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request, type TestResponse } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const OLD_SECRET = 'old-secret-of-m1'
const NEW_SECRET = 'new-secret-of-m1'

function config (port: number, upstreamPort: number, secrets: Array<{ id: string, secret: string }>): Record<string, unknown> {
  return gatewayConfig({
    port,
    upstreamPort,
    merchants: [{ id: 'm1', credentials: { secrets } }],
    routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }, { id: 'router', service: 'backend', paths: ['/router'] }],
    plugins: [
      { name: 'merchant-signature', route: 'api' },
      { name: 'merchant-signature', route: 'router', config: { schemes: ['hmac-sha256'] } }
    ]
  })
}

function errorCode (res: TestResponse): string {
  return (res.json() as { error: { code: string } }).error.code
}

/** `yyyy-MM-dd HH:mm:ss` at GMT+8. */
function gmt8 (ms: number): string {
  return new Date(ms + 8 * 3600_000).toISOString().slice(0, 19).replace('T', ' ')
}

describe('merchant-signature in a real gateway', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let upstreamPort: number

  before(async () => {
    upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(config(port, upstreamPort, [{ id: 'old', secret: OLD_SECRET }, { id: 'new', secret: NEW_SECRET }]))
    // One worker: the nonce LRU is per worker (README), so a replay must reach the same one.
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('passes a signed POST and its exact body bytes to the upstream; the replay is refused', async () => {
    const body = Buffer.concat([Buffer.from('{"amount":12345678901234567890,"note":"'), Buffer.from([0xe2, 0x82, 0xac, 0xff]), Buffer.from('"}')])
    const headers = signRequest({ appKey: 'm1', secret: OLD_SECRET, method: 'POST', path: '/api/orders', query: 'page=1&b=x y', body })
    const sent = { method: 'POST', path: '/api/orders?b=x+y&page=1', headers: { ...headers, 'content-type': 'application/json' }, body }
    const ok = await request(port, sent)
    assert.equal(ok.status, 200, ok.body.toString())
    const seen = upstream.seen.at(-1)
    assert.ok(seen?.body.equals(body), 'the upstream received the body byte for byte')
    assert.equal(seen?.url, '/api/orders?b=x+y&page=1')
    assert.equal(seen?.headers['x-tg-signature'], undefined)

    const before = upstream.seen.length
    const replay = await request(port, sent)
    assert.equal(replay.status, 401)
    assert.equal(errorCode(replay), 'TG_SIGNATURE_REPLAYED')
    assert.equal(replay.headers['www-authenticate'], 'TG1-HMAC-SHA256')
    assert.equal(upstream.seen.length, before)
  })

  it('refuses unsigned, stale, unknown-app and tampered requests with their codes', async () => {
    const before = upstream.seen.length
    assert.equal(errorCode(await request(port, { path: '/api/x' })), 'TG_SIGNATURE_MISSING')
    const stale = signRequest({ appKey: 'm1', secret: OLD_SECRET, method: 'GET', path: '/api/x', timestamp: Date.now() - 301_000 })
    assert.equal(errorCode(await request(port, { path: '/api/x', headers: { ...stale } })), 'TG_SIGNATURE_EXPIRED')
    const unknown = signRequest({ appKey: 'm2', secret: OLD_SECRET, method: 'GET', path: '/api/x' })
    assert.equal(errorCode(await request(port, { path: '/api/x', headers: { ...unknown } })), 'TG_SIGNATURE_UNKNOWN_APP')
    const signed = signRequest({ appKey: 'm1', secret: OLD_SECRET, method: 'GET', path: '/api/x' })
    const tampered = await request(port, { path: '/api/y', headers: { ...signed } })
    assert.equal(tampered.status, 401)
    assert.equal(errorCode(tampered), 'TG_SIGNATURE_INVALID')
    assert.equal(upstream.seen.length, before)
  })

  it('verifies a TOP hmac-sha256 form POST', async () => {
    const params = { app_key: 'm1', method: 'taobao.trade.get', timestamp: gmt8(Date.now()), v: '2.0', sign_method: 'hmac-sha256', fields: 'tid,title' }
    const body = new URLSearchParams({ ...params, sign: signCompatParams('hmac-sha256', NEW_SECRET, params) }).toString()
    const res = await request(port, { method: 'POST', path: '/router', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=utf-8' }, body })
    assert.equal(res.status, 200, res.body.toString())
    assert.equal(upstream.seen.at(-1)?.body.toString(), body)
  })

  it('rotation: both secrets work, and after a reload without the old one only the new one does', async () => {
    for (const secret of [OLD_SECRET, NEW_SECRET]) {
      const headers = signRequest({ appKey: 'm1', secret, method: 'GET', path: '/api/rotate' })
      assert.equal((await request(port, { path: '/api/rotate', headers: { ...headers } })).status, 200)
    }
    gateway.writeConfig(config(port, upstreamPort, [{ id: 'new', secret: NEW_SECRET }]))
    gateway.signal('SIGHUP')
    await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.version === 2)
    const old = signRequest({ appKey: 'm1', secret: OLD_SECRET, method: 'GET', path: '/api/rotate' })
    assert.equal(errorCode(await request(port, { path: '/api/rotate', headers: { ...old } })), 'TG_SIGNATURE_INVALID')
    const current = signRequest({ appKey: 'm1', secret: NEW_SECRET, method: 'GET', path: '/api/rotate' })
    assert.equal((await request(port, { path: '/api/rotate', headers: { ...current } })).status, 200)
  })

  it('remembers nonces across a reload (the worker store outlives config versions)', async () => {
    const headers = signRequest({ appKey: 'm1', secret: NEW_SECRET, method: 'GET', path: '/api/keep' })
    assert.equal((await request(port, { path: '/api/keep', headers: { ...headers } })).status, 200)
    gateway.signal('SIGHUP')
    await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.version === 3)
    assert.equal(errorCode(await request(port, { path: '/api/keep', headers: { ...headers } })), 'TG_SIGNATURE_REPLAYED')
  })
})
