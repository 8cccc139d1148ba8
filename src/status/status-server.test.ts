import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { request } from '../../test/support/http-client.js'
import { recordingLogger } from '../../test/support/plugin-context.js'
import { StatusServer } from './status-server.js'
import { tokenMatches, presentedToken } from './token.js'

const TOKEN = 'status-token-0123456789'

describe('status listener on loopback with a token', () => {
  const server = new StatusServer({ host: '127.0.0.1', port: 0, token: TOKEN }, recordingLogger())
  let port: number
  before(async () => {
    server.route('GET', '/open', () => ({ body: { open: true } }))
    server.route('POST', '/debug/echo', (req) => ({ headers: { 'content-type': 'text/plain' }, body: `echo ${req.query.get('x') ?? ''}` }))
    server.route('GET', '/guarded', () => ({ body: 'ok' }), { token: true })
    server.route('GET', '/broken', () => { throw new Error('boom') })
    port = await server.listen()
  })
  after(async () => { await server.close() })

  it('serves an open endpoint without a token on loopback', async () => {
    const res = await request(port, { path: '/open' })
    assert.equal(res.status, 200)
    assert.deepEqual(res.json(), { open: true })
    assert.equal(res.headers['cache-control'], 'no-store')
  })

  it('refuses a /debug/ endpoint without the token, with a wrong one, and serves it with the right one', async () => {
    const none = await request(port, { method: 'POST', path: '/debug/echo?x=1' })
    assert.equal(none.status, 401)
    assert.equal((none.json() as { error: { code: string } }).error.code, 'TG_STATUS_TOKEN_REQUIRED')
    assert.match(String(none.headers['www-authenticate']), /^Bearer/)
    const wrong = await request(port, { method: 'POST', path: '/debug/echo?x=1', headers: { authorization: `Bearer ${TOKEN}x` } })
    assert.equal(wrong.status, 401)
    const right = await request(port, { method: 'POST', path: '/debug/echo?x=1', headers: { authorization: `Bearer ${TOKEN}` } })
    assert.equal(right.status, 200)
    assert.equal(right.body.toString(), 'echo 1')
    const header = await request(port, { method: 'POST', path: '/debug/echo?x=2', headers: { 'x-tollgate-token': TOKEN } })
    assert.equal(header.body.toString(), 'echo 2')
  })

  it('requires the token on a route registered with token: true', async () => {
    assert.equal((await request(port, { path: '/guarded' })).status, 401)
    assert.equal((await request(port, { path: '/guarded', headers: { authorization: `bearer ${TOKEN}` } })).status, 200)
  })

  it('answers 404 and 405 with coded JSON errors', async () => {
    const missing = await request(port, { path: '/nope' })
    assert.equal(missing.status, 404)
    assert.equal((missing.json() as { error: { code: string } }).error.code, 'TG_STATUS_NOT_FOUND')
    const method = await request(port, { method: 'DELETE', path: '/open' })
    assert.equal(method.status, 405)
    assert.equal(method.headers.allow, 'GET')
  })

  it('answers 500 with a coded error when a handler throws, and keeps serving', async () => {
    const res = await request(port, { path: '/broken' })
    assert.equal(res.status, 500)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_STATUS_FAILED')
    assert.equal((await request(port, { path: '/open' })).status, 200)
  })

  it('refuses registering the same method and path twice', () => {
    assert.throws(() => server.route('GET', '/open', () => ({ body: 1 })), /registered twice/)
  })
})

describe('status listener without a token', () => {
  const server = new StatusServer({ host: '127.0.0.1', port: 0 }, recordingLogger())
  let port: number
  before(async () => {
    server.route('POST', '/debug/profile', () => ({ body: 'never' }))
    port = await server.listen()
  })
  after(async () => { await server.close() })

  it('refuses /debug/ endpoints as not configured', async () => {
    const res = await request(port, { method: 'POST', path: '/debug/profile' })
    assert.equal(res.status, 403)
    assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_STATUS_TOKEN_NOT_CONFIGURED')
  })
})

describe('status tokens', () => {
  it('match only the exact token', () => {
    assert.equal(tokenMatches(TOKEN, TOKEN), true)
    assert.equal(tokenMatches(TOKEN.slice(1), TOKEN), false)
    assert.equal(tokenMatches(undefined, TOKEN), false)
    assert.equal(tokenMatches('', TOKEN), false)
  })

  it('are read from a Bearer authorization or x-tollgate-token', () => {
    assert.equal(presentedToken({ authorization: 'Bearer abc' }), 'abc')
    assert.equal(presentedToken({ authorization: 'Basic abc' }), undefined)
    assert.equal(presentedToken({ 'x-tollgate-token': 'xyz' }), 'xyz')
  })
})
