import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { HeaderList } from '../kit/headers.js'
import { setForwardedHeaders, TrustedProxies } from './forwarded.js'
import { decideRequestId } from './request-id.js'

const ALL = { x_forwarded_for: true, x_forwarded_proto: true, x_forwarded_host: true, x_forwarded_port: true, via: true }
const conn = { peerIp: '10.0.0.5', scheme: 'https', host: 'api.shop.test', port: '443', httpVersion: '1.1' }

function headers (pairs: Record<string, string>): HeaderList {
  return HeaderList.fromRaw(Object.entries(pairs).flat())
}

describe('trusted proxies and X-Forwarded-*', () => {
  const proxies = new TrustedProxies(['10.0.0.0/8', '2001:db8::/32', '192.168.1.1'])

  it('trusts listed CIDRs and single addresses, IPv4 and IPv6', () => {
    assert.equal(proxies.trusts('10.1.2.3'), true)
    assert.equal(proxies.trusts('192.168.1.1'), true)
    assert.equal(proxies.trusts('192.168.1.2'), false)
    assert.equal(proxies.trusts('2001:db8::1'), true)
    assert.equal(proxies.trusts('2001:db9::1'), false)
    assert.equal(new TrustedProxies([]).trusts('10.1.2.3'), false)
  })

  it('takes the right-most untrusted X-Forwarded-For hop as the client behind a trusted proxy', () => {
    const list = headers({ 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.9' })
    assert.equal(proxies.clientIp('10.0.0.5', list), '203.0.113.7')
    assert.equal(proxies.clientIp('198.51.100.1', list), '198.51.100.1', 'an untrusted peer is the client, whatever it claims')
    assert.equal(proxies.clientIp('10.0.0.5', headers({ 'x-forwarded-for': 'garbage' })), '10.0.0.5')
  })

  it('extends XFF and keeps forwarded fields from a trusted peer', () => {
    const list = headers({ 'x-forwarded-for': '203.0.113.7', 'x-forwarded-proto': 'https', 'x-forwarded-host': 'public.test', via: '1.1 edge' })
    setForwardedHeaders(list, ALL, true, conn)
    assert.equal(list.get('x-forwarded-for'), '203.0.113.7, 10.0.0.5')
    assert.equal(list.get('x-forwarded-host'), 'public.test')
    assert.equal(list.get('x-forwarded-port'), '443')
    assert.equal(list.get('via'), '1.1 edge, 1.1 tollgate')
  })

  it('replaces forwarded fields from an untrusted peer', () => {
    const list = headers({ 'x-forwarded-for': '1.2.3.4', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.test' })
    setForwardedHeaders(list, ALL, false, { ...conn, peerIp: '198.51.100.1' })
    assert.equal(list.get('x-forwarded-for'), '198.51.100.1')
    assert.equal(list.get('x-forwarded-proto'), 'https')
    assert.equal(list.get('x-forwarded-host'), 'api.shop.test')
  })

  it('sets only what is switched on', () => {
    const list = new HeaderList()
    setForwardedHeaders(list, { ...ALL, via: false, x_forwarded_port: false }, false, conn)
    assert.equal(list.has('via'), false)
    assert.equal(list.has('x-forwarded-port'), false)
    assert.equal(list.has('x-forwarded-for'), true)
  })
})

describe('request ids', () => {
  it('keeps a trusted incoming id and generates one otherwise', () => {
    assert.equal(decideRequestId('abc-123', true), 'abc-123')
    assert.match(decideRequestId('abc-123', false), /^[0-9a-f-]{36}$/)
    assert.match(decideRequestId(undefined, true), /^[0-9a-f-]{36}$/)
    assert.match(decideRequestId('has space', true), /^[0-9a-f-]{36}$/, 'unsafe ids are replaced')
    assert.match(decideRequestId('x'.repeat(201), true), /^[0-9a-f-]{36}$/)
  })
})

describe('generated request ids', () => {
  it('are unique and UUID-shaped', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => decideRequestId(undefined, false)))
    assert.equal(ids.size, 1000)
    for (const id of ids) assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
  })
})
