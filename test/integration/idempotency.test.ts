import assert from 'node:assert/strict'
import type { ServerResponse } from 'node:http'
import { after, before, describe, it } from 'node:test'
import type { GatewayProcess } from '../support/gateway-process.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'
import { orderUpstream, postOrder, waitUntil } from './idempotency-support.js'

describe('idempotency in a real gateway (worker store)', () => {
  const { upstream, held, calls } = orderUpstream()
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    ({ gateway, port } = await startSuiteGateway(upstream, {
      routes: [{ id: 'orders', service: 'backend', paths: ['/orders/*'] }],
      plugins: [{ name: 'idempotency', route: 'orders' }]
    }))
  })

  after(async () => {
    for (const res of held) res.end()
    await stopSuiteGateway(gateway, upstream)
  })

  it('replays a duplicate with the first response and a marker, without calling the upstream', async () => {
    const first = await postOrder(port, '/orders/create', 'real-1')
    const before = calls()
    const again = await postOrder(port, '/orders/create', 'real-1')
    assert.equal(calls(), before)
    assert.equal(again.status, 201)
    assert.equal(again.body.toString(), first.body.toString())
    assert.equal(again.headers['x-order'], first.headers['x-order'])
    assert.equal(again.headers['content-length'], String(first.body.length))
    assert.equal(again.headers['idempotent-replayed'], 'true')
  })

  it('answers 409 while the first is in flight and 422 to another request with the same key', async () => {
    const first = postOrder(port, '/orders/slow', 'real-2')
    await waitUntil(() => held.length > 0)
    const concurrent = await postOrder(port, '/orders/slow', 'real-2')
    assert.equal(concurrent.status, 409)
    assert.equal((concurrent.json() as { error: { code: string } }).error.code, 'TG_IDEMPOTENCY_IN_FLIGHT')
    const other = await postOrder(port, '/orders/slow', 'real-2', '{"sku":"B-2","qty":1}')
    assert.equal(other.status, 422)
    const res = held.shift() as ServerResponse
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{"slow":true}')
    assert.equal((await first).status, 200)
    assert.equal((await postOrder(port, '/orders/slow', 'real-2')).headers['idempotent-replayed'], 'true')
  })
})
