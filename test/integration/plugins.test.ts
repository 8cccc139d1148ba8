import assert from 'node:assert/strict'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

// Third-party plugins are plain ES modules; these are written into the test's plugins folder.
const BOOM = `export default {
  name: 'boom', version: '1.0.0', priority: 1500, schema: { type: 'object', properties: { when: { type: 'string', default: 'always' } } },
  access (ctx) { if (ctx.request.headers.get('x-boom') === 'yes') throw new Error('kaboom') }
}
`
const TEAPOT = `export default {
  name: 'teapot', version: '1.0.0', priority: 1400, schema: { type: 'object', properties: {} },
  async access (ctx) {
    await new Promise((resolve) => setTimeout(resolve, 5))
    if (ctx.request.path.endsWith('/tea')) return { status: 418, body: 'short and stout', headers: { 'content-type': 'text/plain' } }
  },
  headerFilter (ctx) { ctx.response.headers.set('x-teapot', 'seen') }
}
`
const BROKEN = `export default { name: 'broken', version: '1.0.0', schema: {}, access () {} }
`

describe('plugins in a real gateway', () => {
  const upstream = new UpstreamServer((_req, res) => res.end('upstream'))
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess('')
    const pluginsDir = join(gateway.dir, 'plugins')
    mkdirSync(pluginsDir)
    writeFileSync(join(pluginsDir, 'boom.mjs'), BOOM)
    writeFileSync(join(pluginsDir, 'teapot.mjs'), TEAPOT)
    writeFileSync(join(pluginsDir, 'broken.mjs'), BROKEN)
    gateway.writeConfig(gatewayConfig({
      port,
      upstreamPort,
      gateway: { plugins_dir: './plugins' },
      merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'key-m1-000001' }] } }, { id: 'off', status: 'disabled', credentials: { api_keys: [{ key: 'key-off-00001' }] } }],
      routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }, { id: 'open', service: 'backend', paths: ['/open/*'] }],
      plugins: [{ name: 'key-auth', route: 'api' }, { name: 'boom' }, { name: 'teapot', route: 'open' }]
    }))
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('refuses a third-party plugin with a broken contract by name and starts anyway', () => {
    const warning = gateway.lines.find((l) => l.msg === 'plugin refused')
    assert.ok(warning !== undefined)
    assert.match(String(warning.reason), /'broken' refused: priority must be an integer/)
  })

  it('ends a request with a plugin reply (key-auth short-circuit) before the upstream', async () => {
    const before = upstream.seen.length
    const missing = await request(port, { path: '/api/x' })
    assert.equal(missing.status, 401)
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'TG_AUTH_KEY_MISSING')
    const unknown = await request(port, { path: '/api/x', headers: { apikey: 'nope-nope-nope' } })
    assert.equal((unknown.json() as { error: { code: string } }).error.code, 'TG_AUTH_KEY_UNKNOWN')
    const disabled = await request(port, { path: '/api/x', headers: { apikey: 'key-off-00001' } })
    assert.equal((disabled.json() as { error: { code: string } }).error.code, 'TG_AUTH_MERCHANT_DISABLED')
    assert.equal(upstream.seen.length, before)
    const ok = await request(port, { path: '/api/x?apikey=key-m1-000001&keep=1' })
    assert.equal(ok.status, 200)
    assert.equal(upstream.seen.at(-1)?.url, '/api/x?keep=1', 'the key is removed before proxying')
  })

  it('answers 500 with the request id when a plugin throws, and the worker lives on', async () => {
    const res = await request(port, { path: '/open/x', headers: { 'x-boom': 'yes' } })
    assert.equal(res.status, 500)
    const body = res.json() as { error: { code: string, request_id: string } }
    assert.equal(body.error.code, 'TG_PLUGIN_FAILED')
    assert.equal(body.error.request_id, res.headers['x-request-id'])
    await gateway.waitForLog((l) => l.msg === 'plugin failed' && l.plugin === 'boom' && l.request_id === body.error.request_id)
    const after = await request(port, { path: '/open/y' })
    assert.equal(after.status, 200)
    assert.equal(gateway.lines.filter((l) => l.msg === 'worker exited; restarting').length, 0)
  })

  it('runs asynchronous handlers and header filters, also on replies', async () => {
    const tea = await request(port, { path: '/open/tea' })
    assert.equal(tea.status, 418)
    assert.equal(tea.body.toString(), 'short and stout')
    assert.equal(tea.headers['x-teapot'], 'seen')
    const proxied = await request(port, { path: '/open/coffee' })
    assert.equal(proxied.status, 200)
    assert.equal(proxied.headers['x-teapot'], 'seen')
  })
})
