import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { DnsResponder } from '../support/dns-responder.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { eventually, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

interface UpstreamsReport { services: Array<{ id: string, targets: Array<{ address: string, host_name?: string, passive: { requests: number } }> }> }

describe('target host names resolved through DNS (a test DNS server)', () => {
  const responder = new DnsResponder()
  // Two backends on one port, on two loopback addresses: only the DNS answer says which is used.
  const first = new UpstreamServer()
  const second = new UpstreamServer()
  const local = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let statusPort: number
  let backendPort: number

  before(async () => {
    const server = await responder.listen()
    responder.set('api.test', [{ address: '127.0.0.1', ttlSeconds: 1 }])
    backendPort = await freePort()
    await first.listen(backendPort, '127.0.0.1')
    await second.listen(backendPort, '127.0.0.2')
    const localPort = await local.listen()
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort: 0,
      gateway: { dns: { servers: [server], timeout_ms: 300, tries: 1 }, status: { port: statusPort } },
      services: [
        { id: 'backend', targets: [{ host: 'api.test', port: backendPort }], dns: { ttl_min_s: 1, retry_s: 1 } },
        { id: 'local', targets: [{ host: 'localhost', port: localPort }] }
      ],
      routes: [
        { id: 'all', service: 'backend', paths: ['/*'] },
        { id: 'local', service: 'local', paths: ['/local/*'] }
      ]
    }))
    await gateway.start(1)
    await gateway.waitForLog((l) => l.msg === 'status listener up')
  })

  after(async () => {
    await gateway.stop()
    await Promise.all([first.close(), second.close(), local.close(), responder.close()])
  })

  async function report (): Promise<UpstreamsReport> {
    return (await statusRequest(statusPort, '/status/upstreams')).json() as UpstreamsReport
  }

  it('sends to the address the name resolves to, with the name as Host; the status shows the address', async () => {
    const res = await request(port, { path: '/a' })
    assert.equal(res.status, 200)
    assert.equal(first.seen.at(-1)?.headers.host, `api.test:${backendPort}`)
    assert.equal(second.seen.length, 0)
    await eventually('the primary resolved the name too', async () => {
      const targets = (await report()).services.find((s) => s.id === 'backend')?.targets ?? []
      return targets.length === 1 && targets[0]?.address === `127.0.0.1:${backendPort}` && targets[0]?.host_name === 'api.test'
    })
  })

  it('when the answer changes, traffic moves to the new address (TTL 1 s, refreshed in the background)', async () => {
    responder.set('api.test', [{ address: '127.0.0.2', ttlSeconds: 1 }])
    await eventually('a request reached the new address', async () => {
      await request(port, { path: '/moving' })
      return second.seen.length > 0
    })
    const before = first.seen.length
    for (let i = 0; i < 5; i++) assert.equal((await request(port, { path: `/moved/${i}` })).status, 200)
    assert.equal(first.seen.length, before, 'nothing goes to the old address any more')
    assert.equal(second.seen.at(-1)?.headers.host, `api.test:${backendPort}`)
  })

  it('while the DNS server fails, the last good answer keeps serving', async () => {
    const queries = responder.queriesOf('api.test')
    responder.mode = 'servfail'
    try {
      // Two failed refreshes in the worker or the primary (retry_s 1) at least.
      await eventually('refreshes failed', async () => responder.queriesOf('api.test') >= queries + 3)
      const before = second.seen.length
      for (let i = 0; i < 3; i++) assert.equal((await request(port, { path: `/stale/${i}` })).status, 200)
      assert.equal(second.seen.length, before + 3)
      assert.ok(gateway.lines.some((l) => l.msg === 'dns: resolution failed; keeping the last good answer' && l.name === 'api.test'))
    } finally {
      responder.mode = 'answer'
    }
  })

  it('localhost, which DNS does not know, is resolved by the system resolver', async () => {
    const res = await request(port, { path: '/local/x' })
    assert.equal(res.status, 200)
    assert.equal(local.seen.length, 1)
    const targets = (await report()).services.find((s) => s.id === 'local')?.targets ?? []
    assert.deepEqual(targets.map((t) => [t.address, t.host_name]), [[`127.0.0.1:${local.port}`, 'localhost']])
  })
})
