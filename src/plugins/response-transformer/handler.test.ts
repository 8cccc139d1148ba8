import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { InProcessGateway } from '../../testing/inject.js'
import { startHttpUpstream, type TestUpstream } from '../../upstream/transport/test-upstreams.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, type ResponseInit, type TestContext } from '../../../test/support/plugin-context.js'
import { responseTransformer, type ResponseTransformerState } from './handler.js'
import { malformedPassedThrough } from './metrics.js'
import { responseTransformerSchema } from './schema.js'

const validate = compileConfigValidator(responseTransformerSchema)

function compile (config: unknown): ResponseTransformerState {
  const result = validate(config)
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return responseTransformer.compile!(result.config, undefined as never)
}

const JSON_HEAD = { 'content-type': 'application/json' }

/** Runs the header filter, then the body filter over `chunks`, and returns the bytes sent. */
function run (state: ResponseTransformerState, response: ResponseInit, chunks: string[], method = 'GET'): { ctx: TestContext, sent: string } {
  const ctx = makeContext({ request: { method }, response })
  responseTransformer.headerFilter!(ctx, state)
  const out: Buffer[] = []
  chunks.forEach((chunk, i) => {
    const result = responseTransformer.bodyFilter!(ctx, state, Buffer.from(chunk), false)
    out.push(result ?? Buffer.from(chunk))
    if (i === chunks.length - 1) out.push(responseTransformer.bodyFilter!(ctx, state, Buffer.alloc(0), true) ?? Buffer.alloc(0))
  })
  return { ctx, sent: Buffer.concat(out).toString() }
}

describe('response-transformer handler', () => {
  it('applies header rules to every response, gateway replies included', () => {
    const state = compile({ headers: { remove: ['server'], set: [{ name: 'x-api', value: '2' }] } })
    const { ctx } = run(state, { status: 502, generated: true, headers: { server: 'up', 'content-type': 'application/json', 'content-length': '10' } }, [])
    assert.deepEqual(ctx.response?.headers.toObject(), { 'content-type': 'application/json', 'content-length': '10', 'x-api': '2' })
  })

  it('holds a JSON body back, edits it lossless at the end, and drops content-length', () => {
    const state = compile({ body: { remove: ['internal'], set: [{ path: 'link', value: 'https://x/y' }] } })
    const body = '{"id": 9223372036854775807, "internal": {"a": 1}, "esc": "\\/", "link": null}'
    const { ctx, sent } = run(state, { headers: { ...JSON_HEAD, 'content-length': String(body.length) } }, [body.slice(0, 20), body.slice(20)])
    assert.equal(sent, '{"id": 9223372036854775807, "esc": "\\/", "link": "https://x/y"}')
    assert.equal(ctx.response?.headers.has('content-length'), false)
  })

  it('streams untouched (content-length kept) what the body rules do not apply to', () => {
    const state = compile({ body: { remove: ['a'] }, max_body_bytes: 16 })
    const cases: Array<[ResponseInit, string]> = [
      [{ headers: { 'content-type': 'text/plain', 'content-length': '7' } }, '{"a":1}'],
      [{ headers: { ...JSON_HEAD, 'content-encoding': 'gzip', 'content-length': '7' } }, '{"a":1}'],
      [{ headers: { ...JSON_HEAD, 'content-length': '40' } }, '{"a":"0123456789012345678901234567890"}'],
      [{ status: 204, headers: JSON_HEAD }, '']
    ]
    for (const [response, body] of cases) {
      const ctx = makeContext({ response })
      responseTransformer.headerFilter!(ctx, state)
      assert.equal(responseTransformer.bodyFilter!(ctx, state, Buffer.from(body), true), undefined)
      if (response.headers?.['content-length'] !== undefined) assert.equal(ctx.response?.headers.has('content-length'), true)
    }
  })

  it('lets a chunked body that passes the cap go through whole and unchanged', () => {
    const state = compile({ body: { remove: ['a'] }, max_body_bytes: 10 })
    const { sent } = run(state, { headers: JSON_HEAD }, ['{"a":', '"0123456789"', ',"b":2}'])
    assert.equal(sent, '{"a":"0123456789","b":2}')
  })

  it('passes a malformed JSON body through unchanged and logs it', () => {
    const state = compile({ body: { remove: ['a'] } })
    const counted = malformedPassedThrough.series().value
    const { ctx, sent } = run(state, { headers: JSON_HEAD }, ['{"a": 1,}'])
    assert.equal(malformedPassedThrough.series().value, counted + 1)
    assert.equal(sent, '{"a": 1,}')
    const warning = ctx.log.records.find((r) => r.level === 'warn')
    assert.deepEqual(warning?.obj, { plugin: 'response-transformer', code: 'TG_JSON_TRAILING_COMMA', offset: 7, upstream_status: 200 })
  })

  it('does not touch the body of a HEAD response', () => {
    const state = compile({ body: { remove: ['a'] } })
    const ctx = makeContext({ request: { method: 'HEAD' }, response: { headers: { ...JSON_HEAD, 'content-length': '7' } } })
    responseTransformer.headerFilter!(ctx, state)
    assert.equal(ctx.slots.responseTransformerBody, undefined)
    assert.equal(ctx.response?.headers.get('content-length'), '7')
  })
})

describe('response-transformer through the in-process gateway', () => {
  let upstream: TestUpstream
  let gateway: InProcessGateway

  before(async () => {
    upstream = await startHttpUpstream((req, res) => {
      if (req.url === '/r/bad') {
        res.writeHead(200, { 'content-type': 'application/json' })
        res.end('{"user": "a", oops}')
        return
      }
      const body = '{"user": {"id": 18446744073709551615, "pwd": "x"}, "path": "a\\/b"}'
      res.writeHead(201, { 'content-type': 'application/json; charset=utf-8', 'content-length': String(body.length), server: 'backend/1' })
      res.end(body)
    })
    gateway = new InProcessGateway().load({
      services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: upstream.target.port }] }],
      routes: [{ id: 'r', service: 's1', paths: ['/r/*'] }],
      plugins: [{ name: 'response-transformer', route: 'r', config: { headers: { remove: ['server'] }, body: { remove: ['user.pwd'], add: [{ path: 'via', value: 'gw/1' }] } } }]
    })
  })

  after(async () => {
    await gateway.close()
    await upstream.close()
  })

  it('edits the proxied JSON body and sends it with the right length', async () => {
    const res = await gateway.inject({ url: '/r/user' })
    assert.equal(res.status, 201)
    assert.equal(res.body.toString(), '{"user": {"id": 18446744073709551615}, "path": "a\\/b","via":"gw/1"}')
    assert.equal(res.headers.server, undefined)
  })

  it('passes a malformed upstream body through unchanged', async () => {
    const res = await gateway.inject({ url: '/r/bad' })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), '{"user": "a", oops}')
  })
})
