import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, it } from 'node:test'
import { INGRESS_KINDS, gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

for (const ingress of INGRESS_KINDS) {
  describe(`proxying through a real gateway (${ingress} ingress)`, () => {
    const upstream = new UpstreamServer()
    let gateway: GatewayProcess
    let port: number
    let deadPort: number

    before(async () => {
      const upstreamPort = await upstream.listen()
      port = await freePort()
      deadPort = await freePort()
      gateway = new GatewayProcess(gatewayConfig({
        port,
        upstreamPort,
        ingress,
        services: [
          { id: 'backend', targets: [{ host: '127.0.0.1', port: upstreamPort }], timeouts: { read_ms: 300 } },
          { id: 'dead', targets: [{ host: '127.0.0.1', port: deadPort }] },
          { id: 'based', path: '/base', targets: [{ host: '127.0.0.1', port: upstreamPort }] }
        ],
        routes: [
          { id: 'dead', service: 'dead', paths: ['/dead/*'] },
          { id: 'stripped', service: 'backend', paths: ['/strip/*'], strip_path: true },
          { id: 'host-kept', service: 'backend', paths: ['/keep-host/*'], preserve_host: true },
          { id: 'based', service: 'based', paths: ['/based/*'], strip_path: true },
          { id: 'all', service: 'backend', paths: ['/*'] }
        ]
      }))
      await gateway.start(1)
    })

    after(async () => {
      await gateway.stop()
      await upstream.close()
    })

    it('forwards method, path and raw query and returns the upstream answer', async () => {
      upstream.setHandler((req, res, body) => {
        res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': 'yes' })
        res.end(JSON.stringify({ url: req.url, bytes: body.length }))
      })
      const res = await request(port, { method: 'PUT', path: '/orders/7?b=%2F&a=1', body: 'hello' })
      assert.equal(res.status, 201)
      assert.equal(res.headers['x-upstream'], 'yes')
      assert.deepEqual(res.json(), { url: '/orders/7?b=%2F&a=1', bytes: 5 })
      assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/)
      assert.equal(upstream.seen.at(-1)?.headers['x-request-id'], res.headers['x-request-id'])
    })

    it('streams large bodies both ways (chunked request, 8 MiB response)', async () => {
      const big = Buffer.alloc(8 * 1024 * 1024, 'x')
      upstream.setHandler((_req, res, body) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' })
        res.write(body.subarray(0, 1024))
        res.end(big)
      })
      const payload = Buffer.alloc(3 * 1024 * 1024 + 17, 'y')
      const res = await new Promise<{ status: number, length: number }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false }, (answer) => {
          let length = 0
          answer.on('data', (chunk: Buffer) => { length += chunk.length })
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, length }))
        })
        req.on('error', reject)
        // No content-length: node sends it chunked, in several writes.
        for (let i = 0; i < payload.length; i += 65536) req.write(payload.subarray(i, i + 65536))
        req.end()
      })
      assert.equal(res.status, 200)
      assert.equal(res.length, 1024 + big.length)
      assert.equal(upstream.seen.at(-1)?.body.length, payload.length)
    })

    it('keeps client and upstream connections alive across requests', async () => {
      upstream.setHandler((_req, res) => res.end('ok'))
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const before = upstream.connections
      const ports = new Set<number>()
      for (let i = 0; i < 5; i++) {
        const res = await request(port, { path: `/ka/${i}`, agent })
        assert.equal(res.status, 200)
        ports.add(upstream.seen.at(-1)?.remotePort ?? 0)
      }
      agent.destroy()
      assert.ok(upstream.connections - before <= 1, `upstream saw ${upstream.connections - before} new connections for 5 requests`)
      assert.equal(ports.size, 1)
    })

    it('answers 504 with a JSON error when the upstream is too slow', async () => {
      upstream.setHandler((_req, res) => { setTimeout(() => res.end('late'), 1500) })
      const res = await request(port, { path: '/slow' })
      assert.equal(res.status, 504)
      const body = res.json() as { error: { code: string, request_id: string } }
      assert.equal(body.error.code, 'TG_UPSTREAM_TIMEOUT')
      assert.equal(body.error.request_id, res.headers['x-request-id'])
    })

    it('answers 502 when the upstream refuses the connection', async () => {
      const res = await request(port, { path: '/dead/x' })
      assert.equal(res.status, 502)
      assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_UPSTREAM_CONNECT_FAILED')
    })

    it('strips hop-by-hop headers and those named in Connection, then sets its own', async () => {
      upstream.setHandler((_req, res) => {
        res.writeHead(200, { connection: 'x-secret-upstream', 'x-secret-upstream': 'leak', 'keep-alive': 'timeout=9', 'x-fine': '1' })
        res.end('ok')
      })
      const res = await request(port, {
        path: '/hop',
        headers: {
          connection: 'keep-alive, x-drop-me, x-forwarded-for',
          'x-drop-me': 'secret',
          'x-forwarded-for': '6.6.6.6',
          'proxy-authorization': 'Basic Zm9vOmJhcg==',
          te: 'trailers',
          'x-kept': 'kept'
        }
      })
      assert.equal(res.status, 200)
      const seen = upstream.seen.at(-1)?.headers ?? {}
      assert.equal(seen['x-drop-me'], undefined)
      assert.equal(seen['proxy-authorization'], undefined)
      assert.equal(seen.te, undefined)
      assert.equal(seen['x-kept'], 'kept')
      // The client's XFF is not trusted (no trusted proxies): the gateway sets the peer address.
      assert.equal(seen['x-forwarded-for'], '127.0.0.1')
      assert.equal(seen['x-forwarded-proto'], 'http')
      assert.equal(seen['x-forwarded-port'], String(port))
      assert.equal(seen.via, '1.1 tollgate')
      assert.equal(res.headers['x-secret-upstream'], undefined)
      assert.equal(res.headers['x-fine'], '1')
    })

    it('applies strip_path, the service base path and preserve_host', async () => {
      upstream.setHandler((_req, res) => res.end('ok'))
      await request(port, { path: '/strip/a/b?q=1' })
      assert.equal(upstream.seen.at(-1)?.url, '/a/b?q=1')
      await request(port, { path: '/based/c' })
      assert.equal(upstream.seen.at(-1)?.url, '/base/c')
      await request(port, { path: '/keep-host/x', headers: { host: 'shop.example.com:8443' } })
      assert.equal(upstream.seen.at(-1)?.headers.host, 'shop.example.com:8443')
      await request(port, { path: '/other', headers: { host: 'shop.example.com' } })
      assert.equal(upstream.seen.at(-1)?.headers.host, `127.0.0.1:${upstream.port}`)
    })
  })
}
