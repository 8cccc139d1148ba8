// A HEAD answer carries no body, so the access log must record 0 bytes sent for it, whatever made
// the body the ingress drops: a gRPC server stream (NDJSON lines are produced for HEAD too) or a
// proxied upstream; through both ingresses, listening on loopback in this process.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { InProcessGateway } from '../../src/testing/inject.js'
import type { ListenerSet } from '../../src/server/listener-set.js'
import { BUNDLED_PLUGINS } from '../../src/plugins/registry.js'
import { STREAM_PROTO } from '../../src/conversion/grpc/testing/stream-proto.js'
import { startStreamBackend, type StreamBackend } from '../support/grpc-stream-backend.js'
import { request } from '../support/http-client.js'
import { BOTH_INGRESS_LISTENERS, openIngressListeners } from '../support/in-process-listeners.js'
import { UpstreamServer } from '../support/upstream-server.js'

const FEED = 'tollgate.feed.Feed'

/** The access-log record of a request, once the plugin flushed it. */
async function loggedLine (file: string, requestId: unknown): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : ''
    const line = text.split('\n').find((l) => l.includes(`"request_id":"${String(requestId)}"`))
    if (line !== undefined) return JSON.parse(line) as Record<string, unknown>
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  assert.fail(`no access-log line for ${String(requestId)}`)
}

describe('the access log records no body bytes for HEAD', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-head-log-'))
  const logFile = join(dir, 'access.log')
  const upstream = new UpstreamServer()
  let backend: StreamBackend
  let gateway: InProcessGateway
  let listeners: ListenerSet
  let ports: Record<'fast-h1' | 'node', number>

  before(async () => {
    backend = await startStreamBackend()
    const upstreamPort = await upstream.listen()
    const config = {
      gateway: { listeners: BOTH_INGRESS_LISTENERS },
      services: [
        { id: 'feed', protocol: 'grpc', grpc: { proto: STREAM_PROTO }, targets: [{ host: '127.0.0.1', port: backend.port }] },
        { id: 'web', targets: [{ host: '127.0.0.1', port: upstreamPort }] }
      ],
      routes: [
        { id: 'feed', service: 'feed', methods: ['GET', 'HEAD'], paths: ['/feed/*'], grpc: { service: FEED, method: 'Watch', path: '/feed/{shop}', body: '' } },
        { id: 'web', service: 'web', paths: ['/web/*'] }
      ],
      plugins: [{ name: 'access-log', config: { path: logFile, flush_interval_ms: 10 } }]
    }
    gateway = new InProcessGateway().load(config)
    ;({ listeners, ports } = await openIngressListeners(gateway, config, (name) => BUNDLED_PLUGINS.find((p) => p.name === name)?.schema))
  })

  after(async () => {
    listeners.stopAccepting()
    listeners.closeAll()
    await gateway.close()
    await backend.close()
    await upstream.close()
    rmSync(dir, { recursive: true, force: true })
  })

  for (const ingress of ['fast-h1', 'node'] as const) {
    it(`${ingress}: a gRPC server stream answered to HEAD logs 0 bytes; the same to GET logs its body`, async () => {
      const head = await request(ports[ingress], { method: 'HEAD', path: '/feed/s1?count=5' })
      assert.equal(head.status, 200)
      assert.equal(head.body.length, 0)
      const get = await request(ports[ingress], { path: '/feed/s1?count=5' })
      assert.equal(get.status, 200)
      assert.equal(get.body.toString().split('\n').length, 6, 'five lines')
      const headLine = await loggedLine(logFile, head.headers['x-request-id'])
      assert.equal(headLine.method, 'HEAD')
      assert.equal(headLine.status, 200)
      assert.equal(headLine.bytes_sent, 0)
      assert.equal((await loggedLine(logFile, get.headers['x-request-id'])).bytes_sent, get.body.length)
    })

    it(`${ingress}: a proxied answer to HEAD logs 0 bytes`, async () => {
      const head = await request(ports[ingress], { method: 'HEAD', path: '/web/x' })
      assert.equal(head.status, 200)
      assert.ok(Number(head.headers['content-length']) > 0, 'the upstream announced a body')
      const line = await loggedLine(logFile, head.headers['x-request-id'])
      assert.equal(line.bytes_sent, 0)
    })
  }
})
