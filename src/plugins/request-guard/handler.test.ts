import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { Readable } from 'node:stream'
import { after, before, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { handleRequest } from '../../pipeline/handle-request.js'
import { InProcessGateway } from '../../testing/inject.js'
import { MemorySink, type InjectedResponse } from '../../testing/memory-sink.js'
import { startHttpUpstream, type TestUpstream } from '../../upstream/transport/test-upstreams.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext } from '../../../test/support/plugin-context.js'
import { requestGuard, type RequestGuardState } from './handler.js'
import { requestGuardSchema } from './schema.js'

// `slow` holds the access phase for 30 ms (an asynchronous authentication stand-in); `reader`
// buffers the body in the content phase with readBody().
const slow = definePlugin({
  name: 'slow', version: '1', priority: PRIORITY.authentication, schema: Type.Object({}),
  access: async () => { await new Promise((resolve) => setTimeout(resolve, 30)) }
})
const reader = definePlugin({
  name: 'reader', version: '1', priority: PRIORITY.transformation, schema: Type.Object({}),
  content: async (ctx) => {
    const body = await ctx.request.readBody()
    return { status: 200, body: `read ${body.length}` }
  }
})

const GUARD = {
  allowed_methods: ['GET', 'POST', 'PUT'],
  max_body_bytes: 16,
  max_header_count: 6,
  max_header_bytes: 300,
  max_url_bytes: 40,
  allowed_content_types: ['application/json', 'text/*'],
  deny_user_agents: ['^curl/', 'sqlmap'],
  deny_referers: ['\\.evil\\.example(/|$)']
}

/** Sends a request the way an ingress does, with a chunked body (`bodyLength` undefined). */
function sendChunked (gateway: InProcessGateway, url: string, chunks: Buffer[], headers: Record<string, string> = {}): Promise<InjectedResponse> {
  const sink = new MemorySink()
  const raw = ['host', 'localhost', 'content-type', 'application/json']
  for (const [name, value] of Object.entries(headers)) raw.push(name, value)
  handleRequest(gateway, {
    method: 'POST', target: url, httpVersion: '1.1', rawHeaders: raw, authority: undefined,
    peerIp: '127.0.0.1', localPort: 80, tls: false, body: Readable.from(chunks), bodyLength: undefined
  }, sink)
  return sink.done
}

function codeOf (res: InjectedResponse): string {
  return (res.json() as { error: { code: string } }).error.code
}

describe('request-guard through the in-process gateway', () => {
  let upstream: TestUpstream
  let gateway: InProcessGateway
  const received: Array<{ bytes: number, complete: boolean }> = []

  before(async () => {
    upstream = await startHttpUpstream((req: IncomingMessage, res) => {
      let bytes = 0
      req.on('data', (chunk: Buffer) => { bytes += chunk.length })
      req.on('end', () => { received.push({ bytes, complete: true }); res.end(`upstream ${bytes}`) })
      req.on('aborted', () => { received.push({ bytes, complete: false }) })
    })
    gateway = new InProcessGateway({ plugins: [slow, reader] }).load({
      services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: upstream.target.port }] }],
      routes: [
        { id: 'guarded', service: 's1', paths: ['/g/*'] },
        { id: 'slow', service: 's1', paths: ['/slow/*'] },
        { id: 'read', service: 's1', paths: ['/read/*'] },
        { id: 'open', service: 's1', paths: ['/open/*'] }
      ],
      plugins: [
        { name: 'request-guard', route: 'guarded', config: GUARD },
        { name: 'request-guard', route: 'slow', config: { max_body_bytes: 16 } },
        { name: 'slow', route: 'slow' },
        { name: 'request-guard', route: 'read', config: { max_body_bytes: 16 } },
        { name: 'reader', route: 'read' }
      ]
    })
  })

  after(async () => {
    await gateway.close()
    await upstream.close()
  })

  it('lets a request that passes every check through to the upstream', async () => {
    const res = await gateway.inject({ url: '/g/a', method: 'POST', body: '{"a":1}', headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'shop-client/2.1' } })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'upstream 7')
  })

  it('refuses a method not allowed with 405 and an Allow header', async () => {
    const res = await gateway.inject({ url: '/g/a', method: 'DELETE' })
    assert.equal(res.status, 405)
    assert.equal(codeOf(res), 'TG_METHOD_NOT_ALLOWED')
    assert.equal(res.headers.allow, 'GET, POST, PUT')
  })

  it('refuses a path plus query longer than max_url_bytes with 414, and admits one at the limit', async () => {
    const atLimit = '/g/' + 'a'.repeat(32) + '?q=12' // 40 bytes
    assert.equal((await gateway.inject({ url: atLimit })).status, 200)
    const res = await gateway.inject({ url: atLimit + '3' })
    assert.equal(res.status, 414)
    assert.equal(codeOf(res), 'TG_REQUEST_URL_TOO_LONG')
  })

  it('refuses more header fields than max_header_count with 431', async () => {
    // inject adds host: 5 given + host = 6 passes, 7 does not.
    const five = { a: '1', b: '2', c: '3', d: '4', e: '5' }
    assert.equal((await gateway.inject({ url: '/g/a', headers: five })).status, 200)
    const res = await gateway.inject({ url: '/g/a', headers: { ...five, f: '6' } })
    assert.equal(res.status, 431)
    assert.equal(codeOf(res), 'TG_REQUEST_HEADERS_TOO_LARGE')
  })

  it('refuses headers larger than max_header_bytes with 431', async () => {
    const res = await gateway.inject({ url: '/g/a', headers: { 'x-big': 'v'.repeat(300) } })
    assert.equal(res.status, 431)
    assert.equal(codeOf(res), 'TG_REQUEST_HEADERS_TOO_LARGE')
  })

  it('refuses a denied user agent with 403, matching case-insensitively anywhere in the value', async () => {
    const curl = await gateway.inject({ url: '/g/a', headers: { 'user-agent': 'CURL/8.5.0' } })
    assert.equal(curl.status, 403)
    assert.equal(codeOf(curl), 'TG_REQUEST_USER_AGENT_DENIED')
    assert.equal((await gateway.inject({ url: '/g/a', headers: { 'user-agent': 'Mozilla sqlmap/1.7' } })).status, 403)
    assert.equal((await gateway.inject({ url: '/g/a', headers: { 'user-agent': 'libcurl-client' } })).status, 200)
  })

  it('does not match a request without User-Agent or Referer', async () => {
    assert.equal((await gateway.inject({ url: '/g/a' })).status, 200)
  })

  it('refuses a denied referer with 403', async () => {
    const res = await gateway.inject({ url: '/g/a', headers: { referer: 'https://shop.EVIL.example/cart' } })
    assert.equal(res.status, 403)
    assert.equal(codeOf(res), 'TG_REQUEST_REFERER_DENIED')
    assert.equal((await gateway.inject({ url: '/g/a', headers: { referer: 'https://evil.example.org/' } })).status, 200)
  })

  it('refuses a body with a content type not allowed with 415, parameters ignored, ranges honoured', async () => {
    const xml = await gateway.inject({ url: '/g/a', method: 'POST', body: '<a/>', headers: { 'content-type': 'application/xml' } })
    assert.equal(xml.status, 415)
    assert.equal(codeOf(xml), 'TG_REQUEST_CONTENT_TYPE_UNSUPPORTED')
    const text = await gateway.inject({ url: '/g/a', method: 'POST', body: 'hi', headers: { 'content-type': 'Text/Plain; charset=utf-8' } })
    assert.equal(text.status, 200)
  })

  it('refuses a POST without a content type, even an empty one, but not a GET without a body', async () => {
    assert.equal((await gateway.inject({ url: '/g/a', method: 'POST', body: 'x' })).status, 415)
    assert.equal((await gateway.inject({ url: '/g/a', method: 'PUT', body: '' })).status, 415)
    assert.equal((await gateway.inject({ url: '/g/a', method: 'GET' })).status, 200)
  })

  it('refuses a declared Content-Length over max_body_bytes with 413 before the upstream', async () => {
    const before = received.length
    const res = await gateway.inject({ url: '/g/a', method: 'POST', body: '{"a":"0123456789"}', headers: { 'content-type': 'application/json' } })
    assert.equal(res.status, 413)
    assert.equal(codeOf(res), 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(received.length, before)
    const atLimit = await gateway.inject({ url: '/g/a', method: 'POST', body: '{"a":"01234567"}', headers: { 'content-type': 'application/json' } })
    assert.equal(atLimit.status, 200)
    assert.equal(atLimit.body.toString(), 'upstream 16')
  })

  it('streams a chunked body within the limit to the upstream whole', async () => {
    const res = await sendChunked(gateway, '/g/a', [Buffer.from('{"a":'), Buffer.from('"0123'), Buffer.from('4567"}')])
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'upstream 16')
  })

  it('answers 413 when a chunked body passes the limit while it streams to the upstream, without blaming the target', async () => {
    const target = gateway.targets.get(upstream.target.id)
    const sent = target.sent
    const failed = target.failed
    const res = await sendChunked(gateway, '/g/a', [Buffer.from('0123456789'), Buffer.from('0123456789')])
    assert.equal(res.status, 413)
    assert.equal(codeOf(res), 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(res.destroyed, false)
    // The attempt had started (the cap is passed on a later tick than the proxy step) and was
    // stopped as a client abort: no failure counted, nothing left in flight.
    assert.equal(target.sent, sent + 1)
    assert.equal(target.failed, failed)
    assert.equal(target.inFlight, 0)
  })

  it('answers 413 without calling the upstream when a chunked body passes the limit before the proxy starts', async () => {
    const before = upstream.connections()
    const res = await sendChunked(gateway, '/slow/a', [Buffer.from('0123456789'), Buffer.from('0123456789')])
    assert.equal(res.status, 413)
    assert.equal(codeOf(res), 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(upstream.connections(), before)
  })

  it('makes a later readBody() of a capped chunked body reject with 413', async () => {
    const ok = await sendChunked(gateway, '/read/a', [Buffer.from('0123456789')])
    assert.equal(ok.body.toString(), 'read 10')
    const res = await sendChunked(gateway, '/read/a', [Buffer.from('0123456789'), Buffer.from('0123456789')])
    assert.equal(res.status, 413)
    assert.equal(codeOf(res), 'TG_REQUEST_BODY_TOO_LARGE')
  })

  it('does not touch routes without a binding', async () => {
    const res = await sendChunked(gateway, '/open/a', [Buffer.alloc(100), Buffer.alloc(100)])
    assert.equal(res.body.toString(), 'upstream 200')
  })
})

describe('request-guard state', () => {
  const validate = compileConfigValidator(requestGuardSchema)
  const compile = (config: object): RequestGuardState => {
    const checked = validate(config)
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    return requestGuard.compile!(checked.config, undefined as never)
  }

  it('compiles patterns once, case-insensitive and without state between tests', () => {
    const state = compile({ deny_user_agents: ['bot'] })
    const pattern = state.userAgents?.[0]
    assert.ok(pattern instanceof RegExp)
    assert.equal(pattern.flags, 'i')
    assert.equal(pattern.test('BOT'), true)
    assert.equal(pattern.test('BOT'), true)
  })

  it('an empty config turns every check off', () => {
    const state = compile({})
    assert.deepEqual([state.methods, state.contentTypes, state.userAgents, state.referers], [undefined, undefined, undefined, undefined])
    assert.deepEqual([state.maxBodyBytes, state.maxHeaderCount, state.maxHeaderBytes, state.maxUrlBytes], [0, 0, 0, 0])
    assert.equal(requestGuard.access!(makeContext({ request: { method: 'BREW', bodyLength: undefined } }), state), undefined)
  })

  it('caps a chunked body through request.limitBody and leaves a declared one to the up-front check', () => {
    const state = compile({ max_body_bytes: 100 })
    const caps: number[] = []
    const chunked = makeContext({ request: { method: 'POST', bodyLength: undefined, onLimitBody: (max) => caps.push(max) } })
    assert.equal(requestGuard.access!(chunked, state), undefined)
    assert.deepEqual(caps, [100])
    const declared = makeContext({ request: { method: 'POST', bodyLength: 100, onLimitBody: (max) => caps.push(max) } })
    assert.equal(requestGuard.access!(declared, state), undefined)
    assert.deepEqual(caps, [100])
  })

  it('counts URL length in UTF-8 bytes, not characters', () => {
    const state = compile({ max_url_bytes: 40 })
    // 'é' is 2 bytes: 1 + 19 × 2 = 39 bytes pass, 1 + 20 × 2 = 41 (21 characters) do not.
    assert.equal(requestGuard.access!(makeContext({ request: { path: '/' + 'é'.repeat(19) } }), state), undefined)
    assert.deepEqual(requestGuard.access!(makeContext({ request: { path: '/' + 'é'.repeat(20) } }), state), { code: 'TG_REQUEST_URL_TOO_LONG' })
    assert.deepEqual(requestGuard.access!(makeContext({ request: { path: '/' + 'é'.repeat(18), query: 'abc' } }), state), { code: 'TG_REQUEST_URL_TOO_LONG' })
  })

  it('accepts any declared content type for the */* range, but not a missing one', () => {
    const state = compile({ allowed_content_types: ['*/*'] })
    assert.equal(requestGuard.access!(makeContext({ request: { method: 'POST', headers: { 'content-type': 'x/y' } } }), state), undefined)
    assert.deepEqual(requestGuard.access!(makeContext({ request: { method: 'POST' } }), state), { code: 'TG_REQUEST_CONTENT_TYPE_UNSUPPORTED' })
  })

  it('runs first: the highest priority of the security band', () => {
    assert.equal(requestGuard.name, 'request-guard')
    assert.ok(requestGuard.priority > PRIORITY.security && requestGuard.priority < PRIORITY.security + 1000)
  })
})
