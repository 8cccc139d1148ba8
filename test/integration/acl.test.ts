import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'

describe('acl in a real gateway', () => {
  const upstream = new UpstreamServer((_req, res) => res.end('upstream'))
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    ({ gateway, port } = await startSuiteGateway(upstream, {
      merchants: [
        { id: 'gold', groups: ['gold'], credentials: { api_keys: [{ key: 'key-gold-00001' }] } },
        { id: 'frozen', groups: ['gold', 'suspended'], credentials: { api_keys: [{ key: 'key-frozen-001' }] } },
        { id: 'plain', credentials: { api_keys: [{ key: 'key-plain-0001' }] } }
      ],
      routes: [
        { id: 'premium', service: 'backend', paths: ['/premium/*'] },
        { id: 'open', service: 'backend', paths: ['/open/*'] }
      ],
      plugins: [
        { name: 'key-auth', route: 'premium' },
        { name: 'acl', route: 'premium', config: { allow: ['gold'], deny: ['suspended'] } },
        { name: 'acl', route: 'open', config: { allow: ['gold'] } }
      ]
    }))
  })

  after(() => stopSuiteGateway(gateway, upstream))

  const codeOf = async (path: string, key?: string): Promise<string> => {
    const res = await request(port, { path, headers: key === undefined ? {} : { apikey: key } })
    return res.status === 200 ? res.body.toString() : `${res.status} ${(res.json() as { error: { code: string } }).error.code}`
  }

  it('admits a merchant of an allowed group', async () => {
    assert.equal(await codeOf('/premium/a', 'key-gold-00001'), 'upstream')
  })

  it('refuses a merchant of no allowed group, and one of a denied group (deny wins), before the upstream', async () => {
    const before = upstream.seen.length
    assert.equal(await codeOf('/premium/a', 'key-plain-0001'), '403 TG_ACL_FORBIDDEN')
    assert.equal(await codeOf('/premium/a', 'key-frozen-001'), '403 TG_ACL_FORBIDDEN')
    assert.equal(upstream.seen.length, before)
  })

  it('leaves an unidentified request to authentication, and refuses it where there is none', async () => {
    assert.equal(await codeOf('/premium/a'), '401 TG_AUTH_KEY_MISSING')
    assert.equal(await codeOf('/open/a'), '403 TG_ACL_MERCHANT_REQUIRED')
  })
})
