import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { INGRESS_KINDS } from '../support/configs.js'
import type { GatewayProcess } from '../support/gateway-process.js'
import { firstStatus, rawExchange, request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'

for (const ingress of INGRESS_KINDS) {
  describe(`request hygiene at the ${ingress} ingress`, () => {
    const upstream = new UpstreamServer((req, res) => { res.end(`reached ${req.url}`) })
    let gateway: GatewayProcess
    let port: number

    before(async () => {
      ({ gateway, port } = await startSuiteGateway(upstream, {
        ingress,
        gateway: {
          limits: { max_header_count: 20, max_header_bytes: 4096, max_url_bytes: 512 },
          timeouts: { header_read_ms: 1000, keep_alive_idle_ms: 1000, request_ms: 3000 }
        },
        merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'admin-key-123' }] } }],
        routes: [
          { id: 'admin', service: 'backend', paths: ['/admin/*'] },
          { id: 'public', service: 'backend', paths: ['/public/*'] }
        ],
        plugins: [{ name: 'key-auth', route: 'admin' }]
      }))
    })

    after(() => stopSuiteGateway(gateway, upstream))

    it('never lets an encoding trick reach the protected route without a key', async () => {
      const attacks = ['/public/../admin/x', '/public/%2e%2e/admin/x', '/public/%2E%2E/admin/x', '//admin/x', '/%61dmin/x', '/public/./../admin/x']
      for (const path of attacks) {
        const raw = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
        assert.equal(firstStatus(raw), 401, `${path} must be routed to /admin and refused: ${raw.slice(0, 200)}`)
      }
      const before = upstream.seen.length
      for (const path of ['/admin%2Fx', '/public/%2F..%2Fadmin', '/admin/%00', '/public/%zz', '/public\\..\\admin']) {
        const raw = await rawExchange(port, `GET ${path} HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n`)
        assert.equal(firstStatus(raw), 400, `${path} must be refused: ${raw.slice(0, 200)}`)
        assert.match(raw, /"code":"TG_REQUEST_(BAD_PATH|MALFORMED)"/)
      }
      assert.equal(upstream.seen.length, before, 'no refused request reached the upstream')
      const ok = await request(port, { path: '/admin/x', headers: { apikey: 'admin-key-123' } })
      assert.equal(ok.status, 200)
      assert.equal(ok.body.toString(), 'reached /admin/x')
    })

    it('sends the normalised path upstream', async () => {
      const res = await request(port, { path: '/public/a//b/./c/../%64' })
      assert.equal(res.body.toString(), 'reached /public/a/b/d')
    })

    it('answers 404 JSON with the request id when no route matches', async () => {
      const res = await request(port, { path: '/elsewhere' })
      assert.equal(res.status, 404)
      const body = res.json() as { error: { code: string, request_id: string, message: string } }
      assert.equal(body.error.code, 'TG_ROUTE_NOT_FOUND')
      assert.equal(body.error.request_id, res.headers['x-request-id'])
    })

    it('answers 431 to a header-count flood instead of truncating', async () => {
      const headers: Record<string, string> = {}
      for (let i = 0; i < 40; i++) headers[`x-flood-${i}`] = 'v'
      const res = await request(port, { path: '/public/flood', headers })
      assert.equal(res.status, 431)
      assert.equal((res.json() as { error: { code: string } }).error.code, 'TG_REQUEST_HEADERS_TOO_LARGE')
    })

    it('answers 431 to a header block over the byte limit', async () => {
      const raw = await rawExchange(port, `GET /public/x HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(8000)}\r\n\r\n`)
      assert.equal(firstStatus(raw), 431)
      assert.match(raw, /TG_REQUEST_HEADERS_TOO_LARGE/)
    })

    it('answers 414 to a URL over the limit', async () => {
      const res = await request(port, { path: `/public/${'u'.repeat(600)}` })
      assert.equal(res.status, 414)
    })

    it('answers 400 JSON to a malformed request line', async () => {
      const raw = await rawExchange(port, 'GET /public/x HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n')
      assert.equal(firstStatus(raw), 400)
      assert.match(raw, /"request_id":"/)
    })

    it('closes a connection whose headers never finish within about the header-read timeout', async () => {
      // Node's own check runs every 30 s; Tollgate checks every 500 ms, so a 1 s limit answers 408
      // well inside this exchange's 5 s window.
      const raw = await rawExchange(port, 'GET /public/slow HTTP/1.1\r\nHost: a\r\n', 5000)
      assert.equal(firstStatus(raw), 408)
    })
  })
}
