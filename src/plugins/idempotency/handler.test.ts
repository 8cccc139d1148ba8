import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import { InProcessGateway } from '../../testing/inject.js'
import type { InjectedResponse } from '../../testing/memory-sink.js'
import { startHttpUpstream, type TestUpstream } from '../../upstream/transport/test-upstreams.js'

const merchant = (id: string) => ({ id, credentials: { api_keys: [{ key: `key-${id}-0001` }] } })

function codeOf (res: InjectedResponse): string {
  return `${res.status} ${(res.json() as { error: { code: string } }).error.code}`
}

describe('idempotency through the in-process gateway (worker store)', () => {
  let upstream: TestUpstream
  let gateway: InProcessGateway
  let calls = 0
  const held: ServerResponse[] = []

  before(async () => {
    upstream = await startHttpUpstream((req, res) => {
      req.resume()
      req.on('end', () => {
        calls++
        if (req.url?.startsWith('/i/slow') === true) { held.push(res); return }
        if (req.url?.startsWith('/i/fail') === true) { res.writeHead(503, { 'content-type': 'application/json' }); res.end(`{"call":${calls}}`); return }
        if (req.url?.startsWith('/i/big') === true) { res.writeHead(200, { 'content-type': 'text/plain' }); res.end('x'.repeat(5000)); return }
        res.writeHead(201, { 'content-type': 'application/json', 'x-order': String(calls), 'set-cookie': 'a=1' })
        res.end(`{"call":${calls},"path":"${req.url ?? ''}"}`)
      })
    })
    gateway = new InProcessGateway().load({
      services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: upstream.target.port }] }, { id: 'dead', targets: [{ host: '127.0.0.1', port: 9 }] }],
      routes: [
        { id: 'r', service: 's1', paths: ['/i/*'] },
        { id: 'm', service: 's1', paths: ['/m/*'] },
        { id: 'strict', service: 's1', paths: ['/strict/*'] },
        { id: 'down', service: 'dead', paths: ['/down/*'] }
      ],
      merchants: [merchant('alpha'), merchant('beta')],
      plugins: [
        { name: 'idempotency', route: 'r', config: { max_response_bytes: 1000 } },
        { name: 'idempotency', route: 'down' },
        { name: 'key-auth', route: 'm' },
        { name: 'idempotency', route: 'm' },
        { name: 'idempotency', route: 'strict', config: { without_merchant: 'refuse' } }
      ]
    })
  })

  after(async () => {
    for (const res of held) res.end()
    await gateway.close()
    await upstream.close()
  })

  const post = (url: string, key: string | undefined, body = '{"amount":1}', headers: Record<string, string> = {}) =>
    gateway.inject({ method: 'POST', url, body, headers: { 'content-type': 'application/json', ...(key === undefined ? {} : { 'idempotency-key': key }), ...headers } })

  it('runs the first request and replays its response (status, headers, body) to a duplicate, marked', async () => {
    const first = await post('/i/pay', 'k-replay')
    assert.equal(first.status, 201)
    assert.equal(first.headers['idempotent-replayed'], undefined)
    const before = calls
    const again = await post('/i/pay', 'k-replay')
    assert.equal(calls, before, 'the duplicate never reached the upstream')
    assert.equal(again.status, 201)
    assert.equal(again.body.toString(), first.body.toString())
    assert.equal(again.headers['x-order'], first.headers['x-order'])
    assert.equal(again.headers['set-cookie'], 'a=1')
    assert.equal(again.headers['content-type'], 'application/json')
    assert.equal(again.headers['idempotent-replayed'], 'true')
    assert.notEqual(again.headers['x-request-id'], first.headers['x-request-id'])
  })

  it('answers 409 to a duplicate while the first is in flight, then replays once it is done', async () => {
    const first = post('/i/slow', 'k-slow')
    while (held.length === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    assert.equal(codeOf(await post('/i/slow', 'k-slow')), '409 TG_IDEMPOTENCY_IN_FLIGHT')
    const res = held.shift() as ServerResponse
    res.writeHead(200, { 'content-type': 'text/plain' })
    res.end('slow done')
    assert.equal((await first).body.toString(), 'slow done')
    const later = await post('/i/slow', 'k-slow')
    assert.equal(later.body.toString(), 'slow done')
    assert.equal(later.headers['idempotent-replayed'], 'true')
  })

  it('answers 422 to the same key with another body, path or method', async () => {
    await post('/i/pay', 'k-diff', '{"amount":1}')
    assert.equal(codeOf(await post('/i/pay', 'k-diff', '{"amount":2}')), '422 TG_IDEMPOTENCY_KEY_MISMATCH')
    assert.equal(codeOf(await post('/i/refund', 'k-diff', '{"amount":1}')), '422 TG_IDEMPOTENCY_KEY_MISMATCH')
    const put = await gateway.inject({ method: 'PUT', url: '/i/pay', body: '{"amount":1}', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-diff' } })
    assert.equal(codeOf(put), '422 TG_IDEMPOTENCY_KEY_MISMATCH')
  })

  it('does not store a 5xx: a retry with the same key runs again', async () => {
    const first = await post('/i/fail', 'k-fail')
    const second = await post('/i/fail', 'k-fail')
    assert.equal(first.status, 503)
    assert.equal(second.status, 503)
    assert.notEqual(second.body.toString(), first.body.toString())
    assert.equal(second.headers['idempotent-replayed'], undefined)
  })

  it('does not store a response over max_response_bytes, and frees its key', async () => {
    const before = calls
    await post('/i/big', 'k-big')
    const second = await post('/i/big', 'k-big')
    assert.equal(second.body.length, 5000)
    assert.equal(calls, before + 2)
  })

  it('frees the key when the upstream failed (a gateway reply), so a retry proceeds', async () => {
    assert.equal(codeOf(await post('/down/pay', 'k-down')), '502 TG_UPSTREAM_CONNECT_FAILED')
    assert.equal(codeOf(await post('/down/pay', 'k-down')), '502 TG_UPSTREAM_CONNECT_FAILED')
  })

  it('lets through requests without a key and methods it does not cover', async () => {
    const before = calls
    await post('/i/pay', undefined)
    await post('/i/pay', undefined)
    await gateway.inject({ url: '/i/pay', headers: { 'idempotency-key': 'k-get' } })
    await gateway.inject({ url: '/i/pay', headers: { 'idempotency-key': 'k-get' } })
    assert.equal(calls, before + 4)
  })

  it('refuses a key that is too long or not visible ASCII', async () => {
    assert.equal(codeOf(await post('/i/pay', 'k'.repeat(256))), '400 TG_IDEMPOTENCY_KEY_INVALID')
    assert.equal(codeOf(await post('/i/pay', 'with space')), '400 TG_IDEMPOTENCY_KEY_INVALID')
  })

  it('scopes keys per merchant: the same key of two merchants are two requests', async () => {
    const before = calls
    const alpha = await post('/m/pay', 'k-shared', '{}', { apikey: 'key-alpha-0001' })
    const beta = await post('/m/pay', 'k-shared', '{}', { apikey: 'key-beta-0001' })
    assert.equal(calls, before + 2)
    assert.notEqual(alpha.body.toString(), beta.body.toString())
    const alphaAgain = await post('/m/pay', 'k-shared', '{}', { apikey: 'key-alpha-0001' })
    assert.equal(alphaAgain.body.toString(), alpha.body.toString())
    assert.equal(alphaAgain.headers['idempotent-replayed'], 'true')
  })

  it('scopes keys without a merchant by client address, or refuses them when configured', async () => {
    const before = calls
    await gateway.inject({ method: 'POST', url: '/i/ip', body: '{}', headers: { 'idempotency-key': 'k-ip' }, peerIp: '10.0.0.1' })
    await gateway.inject({ method: 'POST', url: '/i/ip', body: '{}', headers: { 'idempotency-key': 'k-ip' }, peerIp: '10.0.0.2' })
    assert.equal(calls, before + 2)
    assert.equal(codeOf(await post('/strict/pay', 'k-strict')), '403 TG_IDEMPOTENCY_MERCHANT_REQUIRED')
  })
})
