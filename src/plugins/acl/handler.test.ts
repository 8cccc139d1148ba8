import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { Type } from '@sinclair/typebox'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { InProcessGateway } from '../../testing/inject.js'
import { makeContext, makeMerchant } from '../../../test/support/plugin-context.js'
import { acl } from './handler.js'

// `reached` answers 200 in the content phase: a request that gets there passed the ACL.
const reached = definePlugin({
  name: 'reached', version: '1', priority: PRIORITY.transformation, schema: Type.Object({}),
  content (ctx) { return { status: 200, body: `reached ${ctx.merchant?.id ?? '-'}` } }
})

const merchant = (id: string, groups: string[]) => ({ id, groups, credentials: { api_keys: [{ key: `key-${id}-0001` }] } })

const document = {
  services: [{ id: 's1', targets: [{ host: '127.0.0.1', port: 9 }] }],
  routes: [
    { id: 'premium', service: 's1', paths: ['/premium'] },
    { id: 'public', service: 's1', paths: ['/public'] },
    { id: 'both', service: 's1', paths: ['/both'] },
    { id: 'members', service: 's1', paths: ['/members'] },
    { id: 'anonymous', service: 's1', paths: ['/anonymous'] }
  ],
  merchants: [
    merchant('gold1', ['gold']),
    merchant('gold2', ['gold', 'suspended']),
    merchant('plain', []),
    merchant('silver', ['silver', 'beta'])
  ],
  plugins: [
    { name: 'reached' },
    { name: 'key-auth', route: 'premium' },
    { name: 'key-auth', route: 'public' },
    { name: 'key-auth', route: 'both' },
    { name: 'key-auth', route: 'members' },
    { name: 'acl', route: 'premium', config: { allow: ['gold', 'beta'] } },
    { name: 'acl', route: 'public', config: { deny: ['suspended'] } },
    { name: 'acl', route: 'both', config: { allow: ['gold'], deny: ['suspended'] } },
    { name: 'acl', route: 'members' },
    { name: 'acl', route: 'anonymous', config: { allow: ['gold'] } }
  ]
}

describe('acl through the in-process gateway', () => {
  const gateway = new InProcessGateway({ plugins: [reached] }).load(document)
  after(() => gateway.close())

  const call = (url: string, id?: string) => gateway.inject({ url, headers: id === undefined ? {} : { apikey: `key-${id}-0001` } })
  const codeOf = async (url: string, id?: string): Promise<string> => {
    const res = await call(url, id)
    return res.status === 200 ? res.body.toString() : `${res.status} ${(res.json() as { error: { code: string } }).error.code}`
  }

  it('admits a merchant in any allowed group', async () => {
    assert.equal(await codeOf('/premium', 'gold1'), 'reached gold1')
    assert.equal(await codeOf('/premium', 'silver'), 'reached silver')
  })

  it('refuses a merchant in no allowed group with 403 TG_ACL_FORBIDDEN', async () => {
    assert.equal(await codeOf('/premium', 'plain'), '403 TG_ACL_FORBIDDEN')
  })

  it('refuses a merchant in a denied group and admits the rest when there is no allow list', async () => {
    assert.equal(await codeOf('/public', 'gold2'), '403 TG_ACL_FORBIDDEN')
    assert.equal(await codeOf('/public', 'plain'), 'reached plain')
  })

  it('lets deny win over allow', async () => {
    assert.equal(await codeOf('/both', 'gold1'), 'reached gold1')
    assert.equal(await codeOf('/both', 'gold2'), '403 TG_ACL_FORBIDDEN')
  })

  it('with empty lists admits every identified merchant', async () => {
    assert.equal(await codeOf('/members', 'plain'), 'reached plain')
  })

  it('runs after authentication: a missing key is key-auth\'s 401, not the ACL\'s 403', async () => {
    assert.equal(await codeOf('/premium'), '401 TG_AUTH_KEY_MISSING')
  })

  it('refuses a request no plugin identified with 403 TG_ACL_MERCHANT_REQUIRED', async () => {
    assert.equal(await codeOf('/anonymous'), '403 TG_ACL_MERCHANT_REQUIRED')
  })
})

describe('acl handler', () => {
  const state = acl.compile!({ allow: ['gold'], deny: ['suspended'] }, undefined as never)

  it('decides on the groups of ctx.merchant', () => {
    assert.equal(acl.access!(makeContext({ merchant: makeMerchant('m', { groups: ['x', 'gold'] }) }), state), undefined)
    assert.deepEqual(acl.access!(makeContext({ merchant: makeMerchant('m', { groups: ['x'] }) }), state), { code: 'TG_ACL_FORBIDDEN' })
    assert.deepEqual(acl.access!(makeContext({ merchant: makeMerchant('m', { groups: ['gold', 'suspended'] }) }), state), { code: 'TG_ACL_FORBIDDEN' })
    assert.deepEqual(acl.access!(makeContext({}), state), { code: 'TG_ACL_MERCHANT_REQUIRED' })
  })

  it('compiles empty lists to nothing to check', () => {
    assert.deepEqual(acl.compile!({ allow: [], deny: [] }, undefined as never), { allow: undefined, deny: undefined })
  })

  it('sits between authentication and rate limits', () => {
    assert.equal(acl.name, 'acl')
    assert.ok(acl.priority < PRIORITY.authentication && acl.priority > PRIORITY.limits)
  })
})
