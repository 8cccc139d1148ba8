import assert from 'node:assert/strict'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'

/** An upstream that reports each body chunk as it arrives, so a test can tell streaming from buffering. */
class ChunkUpstream {
  readonly bodies: Array<{ url: string, body: string, headers: http.IncomingHttpHeaders }> = []
  private waiters: Array<() => void> = []
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk)
      for (const wake of this.waiters.splice(0)) wake()
    })
    req.on('end', () => {
      this.bodies.push({ url: req.url ?? '', body: Buffer.concat(chunks).toString(), headers: req.headers })
      res.end('ok')
    })
  })

  async listen (): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as AddressInfo).port
  }

  /** Resolves when the next body chunk reaches the upstream; rejects after `ms`. */
  nextChunk (ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no body chunk reached the upstream')), ms)
      this.waiters.push(() => { clearTimeout(timer); resolve() })
    })
  }

  close (): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

describe('request-transformer in a real gateway', () => {
  const upstream = new ChunkUpstream()
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      routes: [{ id: 'orders', service: 'backend', paths: ['/orders/*'] }],
      plugins: [{
        name: 'request-transformer',
        route: 'orders',
        config: {
          headers: { remove: ['x-internal'], add: [{ name: 'x-channel', value: 'open-api' }] },
          query: { rename: [{ from: 'sid', to: 'shop_id' }] },
          body: { remove: ['card.cvv'], set: [{ path: 'channel', value: 'open/api' }] },
          max_body_bytes: 1024
        }
      }]
    }))
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('edits the JSON body lossless and fixes content-length, with headers and query', async () => {
    const body = '{"orderId": 1234567890123456789, "note": "a\\/b", "card": {"no": "4111", "cvv": "123"}, "channel": null}'
    const res = await request(port, { method: 'POST', path: '/orders/create?sid=42&x=%2F', headers: { 'content-type': 'application/json', 'x-internal': 'secret' }, body })
    assert.equal(res.status, 200)
    const seen = upstream.bodies.at(-1)
    assert.equal(seen?.url, '/orders/create?shop_id=42&x=%2F')
    assert.equal(seen?.body, '{"orderId": 1234567890123456789, "note": "a\\/b", "card": {"no": "4111"}, "channel": "open/api"}')
    assert.equal(seen?.headers['content-length'], String(Buffer.byteLength(seen?.body ?? '')))
    assert.equal(seen?.headers['x-internal'], undefined)
    assert.equal(seen?.headers['x-channel'], 'open-api')
  })

  it('streams a body no rule applies to (not JSON) to the upstream chunk by chunk, unchanged', async () => {
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/orders/upload', headers: { 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, agent: false })
    const answered = new Promise<number>((resolve, reject) => {
      req.on('response', (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
      req.on('error', reject)
    })
    const first = upstream.nextChunk(5000)
    req.write('{"card": {"cvv": "1"},')
    // The second chunk is written only once the first reached the upstream: a buffering gateway would stall here.
    await first
    req.end(' "tail": true}')
    assert.equal(await answered, 200)
    assert.equal(upstream.bodies.at(-1)?.body, '{"card": {"cvv": "1"}, "tail": true}')
  })

  it('answers 400 with the position of a malformed JSON body, and 413 past max_body_bytes', async () => {
    const before = upstream.bodies.length
    const bad = await request(port, { method: 'POST', path: '/orders/create', headers: { 'content-type': 'application/json' }, body: '{"a": [1, 2,]}' })
    assert.equal(bad.status, 400)
    const error = (bad.json() as { error: { code: string, message: string, request_id: string } }).error
    assert.equal(error.code, 'TG_REQUEST_BODY_INVALID_JSON')
    assert.match(error.message, /line 1 column 12 \(byte 11\)/)
    assert.ok(error.request_id.length > 0)
    const big = await request(port, { method: 'POST', path: '/orders/create', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ a: 'x'.repeat(2000) }) })
    assert.equal(big.status, 413)
    assert.equal(upstream.bodies.length, before)
  })
})
