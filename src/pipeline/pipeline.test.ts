import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../kit/plugin.js'
import { InProcessGateway } from '../testing/inject.js'

// Test plugins: `who` identifies the merchant named in a header; `say` answers with its binding's
// value (so the effective binding is visible); `deny` refuses; `boom` throws; `later` is async.
const who = definePlugin({
  name: 'who', version: '1', priority: PRIORITY.authentication, schema: Type.Object({}),
  access (ctx) {
    const id = ctx.request.headers.get('x-merchant')
    if (id !== undefined) ctx.identify({ id, name: id, status: 'active', groups: [] })
  }
})
const say = definePlugin({
  name: 'say', version: '1', priority: PRIORITY.transformation, schema: Type.Object({ value: Type.String() }),
  content (_ctx, state) { return { status: 200, body: state.value } }
})
const deny = definePlugin({
  name: 'deny', version: '1', priority: PRIORITY.limits, schema: Type.Object({}),
  access () { return { code: 'TG_RATE_LIMITED' } }
})
const boom = definePlugin({
  name: 'boom', version: '1', priority: PRIORITY.security, schema: Type.Object({ async: Type.Boolean({ default: false }) }),
  access (ctx, state) {
    if (ctx.request.headers.get('x-boom') === undefined) return undefined
    if (state.async) return Promise.reject(new Error('async kaboom'))
    throw new Error('kaboom')
  }
})
const later = definePlugin({
  name: 'later', version: '1', priority: PRIORITY.security + 1, schema: Type.Object({}),
  access: async (ctx) => {
    await new Promise((resolve) => setTimeout(resolve, 1))
    ctx.slots.laterRan = true
  },
  headerFilter (ctx) { ctx.response?.headers.set('x-later', String(ctx.slots.laterRan === true)) }
})

declare module '../kit/context.js' {
  interface PluginSlots { laterRan?: boolean }
}

const document = {
  services: [
    { id: 's1', targets: [{ host: '127.0.0.1', port: 9 }] },
    { id: 's2', targets: [{ host: '127.0.0.1', port: 9 }], timeouts: { connect_ms: 200 } }
  ],
  routes: [
    { id: 'r1', service: 's1', paths: ['/r1'] },
    { id: 'r2', service: 's1', paths: ['/r2'] },
    { id: 'r3', service: 's2', paths: ['/r3'] },
    { id: 'r4', service: 's2', paths: ['/r4'] }
  ],
  merchants: ['mA', 'mB', 'mOff', 'mDenied'].map((id) => ({ id })),
  plugins: [
    { name: 'who' },
    { name: 'boom' },
    { name: 'boom', route: 'r4', config: { async: true } },
    { name: 'later', route: 'r4' },
    { name: 'say', config: { value: 'global' } },
    { name: 'say', service: 's1', config: { value: 'service' } },
    { name: 'say', route: 'r1', config: { value: 'route' } },
    { name: 'say', merchant: 'mA', config: { value: 'merchant' } },
    { name: 'say', route: 'r1', merchant: 'mB', config: { value: 'route+merchant' } },
    { name: 'say', merchant: 'mOff', enabled: false, config: { value: 'never' } },
    { name: 'deny', merchant: 'mDenied' }
  ]
}

describe('phase pipeline and plugin scopes', () => {
  const gateway = new InProcessGateway({ plugins: [who, say, deny, boom, later] }).load(document)
  after(() => gateway.close())

  const answer = async (url: string, merchant?: string): Promise<string> => {
    const res = await gateway.inject({ url, headers: merchant === undefined ? {} : { 'x-merchant': merchant } })
    return res.body.toString()
  }

  it('picks the most specific binding: route+merchant > route > merchant > service > global', async () => {
    assert.equal(await answer('/r1'), 'route')
    assert.equal(await answer('/r1', 'mA'), 'route')
    assert.equal(await answer('/r1', 'mB'), 'route+merchant')
    assert.equal(await answer('/r2'), 'service')
    assert.equal(await answer('/r2', 'mA'), 'merchant')
    assert.equal(await answer('/r3'), 'global')
    assert.equal(await answer('/r3', 'mA'), 'merchant')
  })

  it('switches a plugin off for one merchant with enabled: false', async () => {
    const res = await gateway.inject({ url: '/r3', headers: { 'x-merchant': 'mOff' } })
    // `say` is off, so the request goes to the proxy, whose target refuses the connection.
    assert.equal(res.status, 502)
  })

  it('runs the merchant overlay for the rest of access once authentication identified the merchant', async () => {
    const denied = await gateway.inject({ url: '/r3', headers: { 'x-merchant': 'mDenied' } })
    assert.equal(denied.status, 429)
    assert.equal((denied.json() as { error: { code: string } }).error.code, 'TG_RATE_LIMITED')
    assert.equal(await answer('/r3', 'mA'), 'merchant')
  })

  it('answers 500 with the request id when a plugin throws or rejects, and goes on serving', async () => {
    for (const url of ['/r3', '/r4']) {
      const res = await gateway.inject({ url, headers: { 'x-boom': '1' } })
      assert.equal(res.status, 500)
      const body = res.json() as { error: { code: string, request_id: string } }
      assert.equal(body.error.code, 'TG_PLUGIN_FAILED')
      assert.equal(body.error.request_id, res.headers['x-request-id'])
    }
    assert.equal(await answer('/r3'), 'global')
  })

  it('awaits asynchronous handlers and runs header filters on plugin replies', async () => {
    const res = await gateway.inject({ url: '/r4' })
    assert.equal(res.status, 200)
    assert.equal(res.headers['x-later'], 'true')
  })

  it('answers 404 with the catalog error when no route matches', async () => {
    const res = await gateway.inject({ url: '/none' })
    assert.equal(res.status, 404)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_ROUTE_NOT_FOUND')
  })

  it('refuses an encoded slash with 400 before routing', async () => {
    const res = await gateway.inject({ url: '/r1%2F..' })
    assert.equal(res.status, 400)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_REQUEST_BAD_PATH')
  })
})
