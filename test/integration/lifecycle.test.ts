import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

const merchants = [
  { id: 'm1', credentials: { api_keys: [{ key: 'key-m1-000001' }] } },
  { id: 'm2', credentials: { api_keys: [{ key: 'key-m2-000002' }] } }
]

function configWith (port: number, upstreamPort: number, extraPlugins: unknown[]): Record<string, unknown> {
  return gatewayConfig({
    port,
    upstreamPort,
    merchants,
    routes: [{ id: 'api', service: 'backend', paths: ['/api/*'] }],
    plugins: [{ name: 'key-auth', route: 'api' }, ...extraPlugins],
    gateway: { timeouts: { drain_ms: 5000 } }
  })
}

describe('reload, drain and worker restarts of a running gateway', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let upstreamPort: number
  let version = 1

  async function reloadWith (extraPlugins: unknown[]): Promise<void> {
    gateway.writeConfig(configWith(port, upstreamPort, extraPlugins))
    gateway.signal('SIGHUP')
    version++
    await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.version === version, 10_000, 2)
  }

  before(async () => {
    upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess(configWith(port, upstreamPort, []))
    await gateway.start(2)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('applies a per-merchant plugin change on reload, without a restart', async () => {
    const pid = gateway.pid
    for (let i = 0; i < 3; i++) assert.equal((await request(port, { path: '/api/a', headers: { apikey: 'key-m1-000001' } })).status, 200)
    await reloadWith([{ name: 'rate-limit', route: 'api', merchant: 'm1', config: { limit: 1, window_seconds: 60, window: 'fixed' } }])
    const statuses: number[] = []
    for (let i = 0; i < 4; i++) statuses.push((await request(port, { path: '/api/a', headers: { apikey: 'key-m1-000001' } })).status)
    // Two workers count separately with the local policy: at most one pass per worker.
    assert.ok(statuses.filter((s) => s === 429).length >= 2, `m1 must be limited now: ${statuses.join(',')}`)
    for (let i = 0; i < 4; i++) assert.equal((await request(port, { path: '/api/a', headers: { apikey: 'key-m2-000002' } })).status, 200, 'm2 is not limited')
    await reloadWith([{ name: 'rate-limit', route: 'api', merchant: 'm1', enabled: false, config: { limit: 1 } }])
    for (let i = 0; i < 4; i++) assert.equal((await request(port, { path: '/api/a', headers: { apikey: 'key-m1-000001' } })).status, 200, 'switched off for m1')
    assert.equal(gateway.pid, pid, 'same primary')
  })

  it('refuses a bad config on reload, lists every problem and keeps serving the old one', async () => {
    gateway.writeConfig({ ...configWith(port, upstreamPort, []), routes: [{ id: 'api', service: 'backend', paths: ['/api/*'], typo: true }, { id: 'other', service: 'nowhere', paths: ['/other/*'] }] })
    gateway.signal('SIGHUP')
    await gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('reload refused'))
    const refused = gateway.lines.find((l) => typeof l.msg === 'string' && l.msg.startsWith('reload refused')) as { problems: Array<{ path: string }> }
    const paths = refused.problems.map((p) => p.path)
    assert.ok(paths.includes('/routes/0/typo'), JSON.stringify(refused.problems))
    assert.ok(paths.includes('/routes/1/service'), 'every problem is reported, not only the first')
    assert.equal((await request(port, { path: '/api/a', headers: { apikey: 'key-m2-000002' } })).status, 200)
    gateway.writeConfig(configWith(port, upstreamPort, []))
  })

  it('reloads under load with zero failed requests', async () => {
    upstream.setHandler((_req, res) => { setTimeout(() => res.end('ok'), 2) })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 8 })
    let stop = false
    const failures: string[] = []
    let done = 0
    const loop = async (): Promise<void> => {
      while (!stop) {
        try {
          const res = await request(port, { path: '/api/load', headers: { apikey: 'key-m2-000002' }, agent })
          if (res.status !== 200) failures.push(`status ${res.status}`)
        } catch (error) {
          failures.push((error as Error).message)
        }
        done++
      }
    }
    const loops = Array.from({ length: 8 }, loop)
    for (let i = 0; i < 3; i++) {
      await new Promise((resolve) => setTimeout(resolve, 300))
      await reloadWith(i % 2 === 0 ? [{ name: 'rate-limit', route: 'api', config: { limit: 1_000_000 } }] : [])
    }
    await new Promise((resolve) => setTimeout(resolve, 300))
    stop = true
    await Promise.all(loops)
    agent.destroy()
    assert.ok(done > 50, `only ${done} requests ran`)
    assert.deepEqual(failures, [])
  })

  it('restarts a worker that died', async () => {
    const served = gateway.lines.filter((l) => l.msg === 'worker serving config version')
    const workerPid = Number(served.at(-1)?.worker)
    process.kill(workerPid, 'SIGKILL')
    await gateway.waitForLog((l) => l.msg === 'worker exited; restarting' && l.worker === workerPid)
    await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.worker !== workerPid && !served.some((s) => s.worker === l.worker))
    for (let i = 0; i < 4; i++) assert.equal((await request(port, { path: '/api/a', headers: { apikey: 'key-m2-000002' } })).status, 200)
  })

  it('drains on SIGTERM: the request in flight completes, then it exits 0', async () => {
    upstream.setHandler((_req, res) => { setTimeout(() => res.end('finished late'), 800) })
    const inFlight = request(port, { path: '/api/slow', headers: { apikey: 'key-m2-000002' } })
    await new Promise((resolve) => setTimeout(resolve, 200))
    gateway.signal('SIGTERM')
    const res = await inFlight
    assert.equal(res.status, 200)
    assert.equal(res.body.toString(), 'finished late')
    assert.equal(await gateway.exited(), 0)
    await assert.rejects(request(port, { path: '/api/after' }), /ECONNREFUSED/)
  })
})
