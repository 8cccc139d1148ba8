import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { UpstreamServer } from '../support/upstream-server.js'

/**
 * Sends a GET from a chosen loopback address: Linux routes all of 127.0.0.0/8 to the loopback
 * interface, so 127.0.0.2 is a second peer the gateway can tell apart from 127.0.0.1.
 */
function getFrom (localAddress: string, port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number, code: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers, localAddress, agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => {
        const status = res.statusCode ?? 0
        const body = Buffer.concat(chunks).toString()
        resolve({ status, code: status === 200 ? undefined : (JSON.parse(body) as { error: { code: string } }).error.code })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

describe('ip-restriction in a real gateway', () => {
  const upstream = new UpstreamServer((_req, res) => res.end('upstream'))
  let gateway: GatewayProcess
  let port: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      // 127.0.0.2 plays a load balancer in front of the gateway; 127.0.0.1 is an ordinary client.
      gateway: { trusted_proxies: ['127.0.0.2'] },
      routes: [
        { id: 'partners', service: 'backend', paths: ['/partners/*'] },
        { id: 'blocked', service: 'backend', paths: ['/blocked/*'] }
      ],
      plugins: [
        { name: 'ip-restriction', route: 'partners', config: { allow: ['203.0.113.0/24', '2001:db8::/32'] } },
        { name: 'ip-restriction', route: 'blocked', config: { deny: ['127.0.0.1', '192.0.2.0/24'] } }
      ]
    }))
    await gateway.start(1)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('refuses a client outside the allow list with 403 TG_IP_FORBIDDEN', async () => {
    assert.deepEqual(await getFrom('127.0.0.1', port, '/partners/a'), { status: 403, code: 'TG_IP_FORBIDDEN' })
  })

  it('is not bypassed by an X-Forwarded-For from an untrusted peer', async () => {
    assert.deepEqual(await getFrom('127.0.0.1', port, '/partners/a', { 'x-forwarded-for': '203.0.113.5' }), { status: 403, code: 'TG_IP_FORBIDDEN' })
    // A denied peer cannot launder itself through a forged header either.
    assert.deepEqual(await getFrom('127.0.0.1', port, '/blocked/a', { 'x-forwarded-for': '198.51.100.1' }), { status: 403, code: 'TG_IP_FORBIDDEN' })
  })

  it('uses the forwarded client address behind a trusted proxy', async () => {
    const before = upstream.seen.length
    assert.deepEqual(await getFrom('127.0.0.2', port, '/partners/a', { 'x-forwarded-for': '203.0.113.5' }), { status: 200, code: undefined })
    assert.deepEqual(await getFrom('127.0.0.2', port, '/partners/a', { 'x-forwarded-for': '2001:db8::77' }), { status: 200, code: undefined })
    assert.equal(upstream.seen.length, before + 2)
    assert.deepEqual(await getFrom('127.0.0.2', port, '/partners/a', { 'x-forwarded-for': '198.51.100.1' }), { status: 403, code: 'TG_IP_FORBIDDEN' })
    assert.deepEqual(await getFrom('127.0.0.2', port, '/blocked/a', { 'x-forwarded-for': '192.0.2.9' }), { status: 403, code: 'TG_IP_FORBIDDEN' })
    assert.deepEqual(await getFrom('127.0.0.2', port, '/blocked/a', { 'x-forwarded-for': '198.51.100.1' }), { status: 200, code: undefined })
  })

  it('uses the trusted proxy itself as the client when it forwards no address', async () => {
    assert.deepEqual(await getFrom('127.0.0.2', port, '/partners/a'), { status: 403, code: 'TG_IP_FORBIDDEN' })
    assert.deepEqual(await getFrom('127.0.0.2', port, '/blocked/a'), { status: 200, code: undefined })
  })
})
