import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'

const ORDER = '{"orderId": 1234567890123456789, "cost": {"price": 1.50, "margin": 0.2}, "note": "a\\/b\\u00e9"}'

describe('response-transformer in a real gateway', () => {
  const upstream = new UpstreamServer((req, res) => {
    if (req.url === '/orders/text') {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '11' })
      res.end('{"cost": 1}')
      return
    }
    if (req.url === '/orders/broken') {
      res.writeHead(502, { 'content-type': 'application/json' })
      res.end('{"error": ')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(ORDER)), 'x-powered-by': 'backend' })
    res.end(ORDER)
  })
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    ({ gateway, port } = await startSuiteGateway(upstream, {
      routes: [{ id: 'orders', service: 'backend', paths: ['/orders/*'] }],
      plugins: [{
        name: 'response-transformer',
        route: 'orders',
        config: {
          headers: { remove: ['x-powered-by'], add: [{ name: 'x-api-version', value: '2' }] },
          body: { remove: ['cost.margin'], rename: [{ from: 'orderId', to: 'order_id' }] }
        }
      }]
    }))
  })

  after(() => stopSuiteGateway(gateway, upstream))

  it('edits a JSON response lossless and frames the new length (chunked)', async () => {
    const res = await request(port, { path: '/orders/1' })
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), '{"cost": {"price": 1.50}, "note": "a\\/b\\u00e9","order_id":1234567890123456789}')
    assert.equal(res.headers['content-length'], undefined)
    assert.equal(res.headers['transfer-encoding'], 'chunked')
    assert.equal(res.headers['x-powered-by'], undefined)
    assert.equal(res.headers['x-api-version'], '2')
  })

  it('streams a non-JSON response untouched with its content-length', async () => {
    const res = await request(port, { path: '/orders/text' })
    assert.equal(res.body.toString(), '{"cost": 1}')
    assert.equal(res.headers['content-length'], '11')
    assert.equal(res.headers['x-api-version'], '2')
  })

  it('passes a malformed upstream JSON body through with its status', async () => {
    const res = await request(port, { path: '/orders/broken' })
    assert.equal(res.status, 502)
    assert.equal(res.body.toString(), '{"error": ')
  })
})
