import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { InProcessGateway } from '../../testing/inject.js'
import { compileConfigValidator } from '../_shared/config-validator.js'
import { makeContext, makeEnv, recordingLogger } from '../../../test/support/plugin-context.js'
import { ipRestriction } from './handler.js'
import { ipRestrictionSchema } from './schema.js'

// `reached` answers 200 in the content phase: a request that gets there passed ip-restriction.
const reached = definePlugin({
  name: 'reached', version: '1', priority: PRIORITY.transformation, schema: Type.Object({}),
  content () { return { status: 200, body: 'reached' } }
})

const document = {
  gateway: { trusted_proxies: ['10.9.9.9', 'fd00::9'] },
  services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: 9 }] }],
  routes: [
    { id: 'allow-v4', service: 's1', paths: ['/allow-v4'] },
    { id: 'allow-v6', service: 's1', paths: ['/allow-v6'] },
    { id: 'deny', service: 's1', paths: ['/deny'] },
    { id: 'both', service: 's1', paths: ['/both'] },
    { id: 'open', service: 's1', paths: ['/open'] }
  ],
  plugins: [
    { name: 'reached' },
    { name: 'ip-restriction', route: 'allow-v4', config: { allow: ['203.0.113.0/24', '198.51.100.7'] } },
    { name: 'ip-restriction', route: 'allow-v6', config: { allow: ['2001:db8:1::/48'] } },
    { name: 'ip-restriction', route: 'deny', config: { deny: ['192.0.2.0/25', '2001:db8::bad'] } },
    { name: 'ip-restriction', route: 'both', config: { allow: ['203.0.113.0/24'], deny: ['203.0.113.66'] } }
  ]
}

describe('ip-restriction through the in-process gateway', () => {
  const gateway = new InProcessGateway({ plugins: [reached] }).load(document)
  after(() => gateway.close())

  const statusOf = async (url: string, peerIp: string, headers: Record<string, string> = {}): Promise<number> =>
    (await gateway.inject({ url, peerIp, headers })).status

  it('admits an address inside an allowed CIDR block and an allowed single address', async () => {
    assert.equal(await statusOf('/allow-v4', '203.0.113.200'), 200)
    assert.equal(await statusOf('/allow-v4', '198.51.100.7'), 200)
  })

  it('refuses an address outside the allow list with 403 TG_IP_FORBIDDEN', async () => {
    const res = await gateway.inject({ url: '/allow-v4', peerIp: '198.51.100.8' })
    assert.equal(res.status, 403)
    const body = res.json() as { error: { code: string, request_id: string } }
    assert.equal(body.error.code, 'TG_IP_FORBIDDEN')
    assert.equal(body.error.request_id, res.headers['x-request-id'])
  })

  it('matches IPv6 clients against IPv6 blocks', async () => {
    assert.equal(await statusOf('/allow-v6', '2001:db8:1:ffff::1'), 200)
    assert.equal(await statusOf('/allow-v6', '2001:db8:2::1'), 403)
    assert.equal(await statusOf('/allow-v6', '203.0.113.1'), 403)
  })

  it('compares an IPv4-mapped IPv6 peer as IPv4', async () => {
    assert.equal(await statusOf('/allow-v4', '::ffff:203.0.113.9'), 200)
    assert.equal(await statusOf('/deny', '::ffff:192.0.2.1'), 403)
  })

  it('refuses denied addresses and admits everything else when there is no allow list', async () => {
    assert.equal(await statusOf('/deny', '192.0.2.127'), 403)
    assert.equal(await statusOf('/deny', '2001:db8::bad'), 403)
    assert.equal(await statusOf('/deny', '192.0.2.128'), 200)
    assert.equal(await statusOf('/deny', '2001:db8::bab'), 200)
  })

  it('lets deny win over allow', async () => {
    assert.equal(await statusOf('/both', '203.0.113.65'), 200)
    assert.equal(await statusOf('/both', '203.0.113.66'), 403)
  })

  it('ignores X-Forwarded-For from an untrusted peer', async () => {
    assert.equal(await statusOf('/allow-v4', '192.0.2.50', { 'x-forwarded-for': '203.0.113.5' }), 403)
    assert.equal(await statusOf('/deny', '198.51.100.1', { 'x-forwarded-for': '192.0.2.1' }), 200)
  })

  it('uses the forwarded client address behind a trusted proxy', async () => {
    assert.equal(await statusOf('/allow-v4', '10.9.9.9', { 'x-forwarded-for': '203.0.113.5' }), 200)
    assert.equal(await statusOf('/deny', '10.9.9.9', { 'x-forwarded-for': '192.0.2.1' }), 403)
    assert.equal(await statusOf('/deny', 'fd00::9', { 'x-forwarded-for': '2001:db8::bad' }), 403)
    // The right-most untrusted hop is the client: an entry the client wrote further left is not.
    assert.equal(await statusOf('/allow-v4', '10.9.9.9', { 'x-forwarded-for': '203.0.113.5, 192.0.2.9' }), 403)
  })

  it('leaves routes without a binding alone', async () => {
    assert.equal(await statusOf('/open', '192.0.2.1'), 200)
  })
})

describe('ip-restriction compile', () => {
  const validate = compileConfigValidator(ipRestrictionSchema)
  const configOf = (config: object) => {
    const checked = validate(config)
    if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
    return checked.config
  }

  it('skips an empty list with one check (no BlockList built)', () => {
    const state = ipRestriction.compile!(configOf({ deny: ['192.0.2.1'] }), makeEnv())
    assert.equal(state.allow, undefined)
    assert.ok(state.deny !== undefined)
  })

  it('warns once at compile time when both lists are empty, and admits every client', () => {
    const logger = recordingLogger()
    const state = ipRestriction.compile!(configOf({}), makeEnv({ logger }))
    assert.deepEqual(logger.records.map((r) => [r.level, r.msg]), [['warn', 'ip-restriction has empty allow and deny lists: it admits every client']])
    assert.equal(ipRestriction.access!(makeContext({ request: { clientIp: '192.0.2.1' } }), state), undefined)
  })

  it('sits in the security band', () => {
    assert.equal(ipRestriction.name, 'ip-restriction')
    assert.equal(ipRestriction.priority, PRIORITY.security)
  })
})
