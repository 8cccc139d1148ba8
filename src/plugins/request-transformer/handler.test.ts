import assert from 'node:assert/strict'
import type { IncomingMessage } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { InProcessGateway } from '../../testing/inject.js'
import { startHttpUpstream, type TestUpstream } from '../../upstream/transport/test-upstreams.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, type ContextInit } from '../../../test/support/plugin-context.js'
import { requestTransformer, type RequestTransformerState } from './handler.js'
import { requestTransformerSchema } from './schema.js'

const validate = compileConfigValidator(requestTransformerSchema)

function compile (config: unknown): RequestTransformerState {
  const result = validate(config)
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return requestTransformer.compile!(result.config, undefined as never)
}

const jsonPost = (body: string, headers: Record<string, string> = {}): ContextInit => ({
  request: { method: 'POST', body: Buffer.from(body), headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...headers } }
})

describe('request-transformer handler', () => {
  it('applies header rules in order: remove, rename, set, add', () => {
    const state = compile({ headers: { remove: ['X-Debug'], rename: [{ from: 'x-old', to: 'x-new' }], set: [{ name: 'X-Env', value: 'prod' }], add: [{ name: 'x-source', value: 'gw' }, { name: 'x-keep', value: 'no' }] } })
    const ctx = makeContext({ request: { headers: { 'x-debug': '1', 'x-old': ['a', 'b'], 'x-new': 'gone', 'x-env': ['1', '2'], 'x-keep': 'yes' } } })
    assert.equal(requestTransformer.content!(ctx, state), undefined)
    assert.deepEqual(ctx.request.headers.toObject(), { 'x-new': 'a, b', 'x-env': 'prod', 'x-keep': 'yes', 'x-source': 'gw' })
  })

  it('rewrites the query keeping untouched parameters byte for byte', () => {
    const state = compile({ query: { remove: ['debug'], set: [{ name: 'v', value: '2' }] } })
    const ctx = makeContext({ request: { query: 'a=%2f&debug=1&v=1' } })
    assert.equal(requestTransformer.content!(ctx, state), undefined)
    assert.equal(ctx.request.query, 'a=%2f&v=2')
  })

  it('edits JSON body fields: bytes outside them unchanged, int64 exact, "/" never escaped, content-length fixed', async () => {
    const state = compile({ body: { remove: ['secret'], rename: [{ from: 'user.nick', to: 'user.nickname' }], set: [{ path: 'url', value: 'https://a/b' }, { path: 'big', json: '12345678901234567891' }], add: [{ path: 'items[1]', value: { sku: 'x/y' } }] } })
    const body = '{ "id": 9007199254740993, "secret": "s", "esc": "a\\/b\\u00e9",\n  "user": {"nick": "n"}, "items": [ 1.0 ], "url": "old" }'
    const ctx = makeContext(jsonPost(body))
    assert.equal(await requestTransformer.content!(ctx, state), undefined)
    const sent = (await ctx.request.readBody()).toString()
    // A renamed member is a new member: written minimally, like every new value.
    assert.equal(sent, '{ "id": 9007199254740993, "esc": "a\\/b\\u00e9",\n  "user": {"nickname":"n"}, "items": [ 1.0,{"sku":"x/y"} ], "url": "https://a/b","big":12345678901234567891 }')
    assert.equal(ctx.request.bodyLength, Buffer.byteLength(sent))
    assert.equal(ctx.request.headers.get('content-length'), String(Buffer.byteLength(sent)))
  })

  it('skips rules that do not fit the body (missing parent, wrong kind) and leaves the body untouched', async () => {
    const state = compile({ body: { set: [{ path: 'no.such', value: 1 }, { path: 'list.key', value: 1 }], remove: ['absent'], add: [{ path: 'present', value: 2 }] } })
    const body = '{"list":[1],"present":1}'
    const ctx = makeContext(jsonPost(body))
    let replaced = false
    const original = ctx.request.replaceBody.bind(ctx.request)
    ctx.request.replaceBody = (buffer) => { replaced = true; original(buffer) }
    assert.equal(await requestTransformer.content!(ctx, state), undefined)
    assert.equal(replaced, false)
    assert.equal((await ctx.request.readBody()).toString(), body)
  })

  it('never reads a body when there are no body rules, or the body is not JSON, or it is empty', () => {
    const withRules = compile({ body: { remove: ['a'] } })
    const cases: Array<[RequestTransformerState, ContextInit]> = [
      [compile({ headers: { add: [{ name: 'x', value: '1' }] } }), jsonPost('{"a":1}')],
      [withRules, jsonPost('a=1', { 'content-type': 'application/x-www-form-urlencoded' })],
      [withRules, { request: { method: 'POST', headers: { 'content-type': 'application/json' } } }]
    ]
    for (const [state, init] of cases) {
      const ctx = makeContext(init)
      ctx.request.readBody = () => { throw new Error('the body was read') }
      assert.equal(requestTransformer.content!(ctx, state), undefined)
    }
  })

  it('reads JSON bodies declared as +json and with parameters', async () => {
    const state = compile({ body: { remove: ['a'] } })
    const ctx = makeContext(jsonPost('{"a":1,"b":2}', { 'content-type': 'Application/Problem+JSON; charset=utf-8' }))
    await requestTransformer.content!(ctx, state)
    assert.equal((await ctx.request.readBody()).toString(), '{"b":2}')
  })

  it('answers 400 with the codec position when a body the rules need is not JSON', async () => {
    const state = compile({ body: { remove: ['a'] } })
    const reply = await requestTransformer.content!(makeContext(jsonPost('{"a":1,\n "b": 01}')), state)
    assert.equal(reply?.code, 'TG_REQUEST_BODY_INVALID_JSON')
    assert.match(reply?.message ?? '', /line 2 column 7 \(byte 14\).*TG_JSON_LEADING_ZERO/)
  })

  it('answers 413 when the body is over max_body_bytes', async () => {
    const state = compile({ body: { remove: ['a'] }, max_body_bytes: 8 })
    const reply = await requestTransformer.content!(makeContext(jsonPost('{"a":"123456789"}')), state)
    assert.equal(reply?.code, 'TG_REQUEST_BODY_TOO_LARGE')
  })
})

describe('request-transformer through the in-process gateway', () => {
  let upstream: TestUpstream
  let gateway: InProcessGateway
  const seen: Array<{ url: string, headers: IncomingMessage['headers'], body: string }> = []

  before(async () => {
    upstream = await startHttpUpstream((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => { seen.push({ url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString() }); res.end('ok') })
    })
    gateway = new InProcessGateway().load({
      services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: upstream.target.port }] }],
      routes: [{ id: 'r', service: 's1', paths: ['/t/*'] }],
      plugins: [{ name: 'request-transformer', route: 'r', config: { headers: { set: [{ name: 'x-via', value: 'tg' }] }, query: { remove: ['debug'] }, body: { set: [{ path: 'amount', json: '100.10' }] }, max_body_bytes: 64 } }]
    })
  })

  after(async () => {
    await gateway.close()
    await upstream.close()
  })

  it('sends the edited body with its new content-length, headers and query upstream', async () => {
    const res = await gateway.inject({ method: 'POST', url: '/t/pay?debug=1&id=7', headers: { 'content-type': 'application/json' }, body: '{"id":18446744073709551615,"amount":1}' })
    assert.equal(res.status, 200)
    const last = seen.at(-1)
    assert.equal(last?.url, '/t/pay?id=7')
    assert.equal(last?.body, '{"id":18446744073709551615,"amount":100.10}')
    assert.equal(last?.headers['content-length'], String(last?.body.length))
    assert.equal(last?.headers['x-via'], 'tg')
  })

  it('answers 400 TG_REQUEST_BODY_INVALID_JSON and 413 without calling the upstream', async () => {
    const before = seen.length
    const bad = await gateway.inject({ method: 'POST', url: '/t/x', headers: { 'content-type': 'application/json' }, body: '{"a":' })
    assert.equal(bad.status, 400)
    assert.equal((bad.json() as { error: { code: string } }).error.code, 'TG_REQUEST_BODY_INVALID_JSON')
    const big = await gateway.inject({ method: 'POST', url: '/t/x', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(80) }) })
    assert.equal(big.status, 413)
    assert.equal(seen.length, before)
  })
})
