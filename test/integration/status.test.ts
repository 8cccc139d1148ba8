import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess, MAIN } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { eventually, statusRequest } from '../support/status-client.js'
import { UpstreamServer } from '../support/upstream-server.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'

const run = promisify(execFile)
const TOKEN = 'status-integration-token-42'

interface StatusBody {
  version: string
  uptime_seconds: number
  config_version: number
  ready: boolean
  degraded: string[]
  workers: Array<{ slot: number, pid: number | null, restarts: number, config_version: number | null, listening: boolean, age_seconds: number }>
}

describe('status listener of a running gateway (2 workers)', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let statusPort: number

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    statusPort = await freePort()
    gateway = new GatewayProcess(gatewayConfig({ port, upstreamPort, gateway: { status: { host: '127.0.0.1', port: statusPort, token: TOKEN } } }))
    await gateway.start(2)
    await gateway.waitForLog((l) => l.msg === 'status listener up')
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('answers /health/live and /health/ready once both workers serve', async () => {
    assert.deepEqual((await statusRequest(statusPort, '/health/live')).json(), { live: true })
    const ready = await statusRequest(statusPort, '/health/ready')
    assert.equal(ready.status, 200)
    assert.deepEqual(ready.json(), { ready: true, reasons: [] })
  })

  it('lists version, uptime, config version and both workers on /status', async () => {
    const res = await statusRequest(statusPort, '/status')
    assert.equal(res.status, 200)
    const body = res.json() as StatusBody
    assert.match(body.version, /^\d+\.\d+\.\d+/)
    assert.ok(body.uptime_seconds >= 0)
    assert.equal(body.config_version, 1)
    assert.equal(body.ready, true)
    assert.deepEqual(body.degraded, [])
    assert.equal(body.workers.length, 2)
    for (const worker of body.workers) {
      assert.equal(typeof worker.pid, 'number')
      assert.equal(worker.restarts, 0)
      assert.equal(worker.config_version, 1)
      assert.equal(worker.listening, true)
    }
  })

  it('`tollgate status -c FILE` prints /status', async () => {
    const { stdout } = await run(process.execPath, [MAIN, 'status', '-c', gateway.configFile])
    const body = JSON.parse(stdout) as StatusBody
    assert.equal(body.workers.length, 2)
    assert.equal(body.config_version, 1)
  })

  it('shows an accepted reload as the new config version on every worker', async () => {
    gateway.signal('SIGHUP')
    await gateway.waitForLog((l) => l.msg === 'worker serving config version' && l.version === 2, 10_000, 2)
    const body = (await statusRequest(statusPort, '/status')).json() as StatusBody
    assert.equal(body.config_version, 2)
    assert.deepEqual(body.workers.map((w) => w.config_version), [2, 2])
  })

  it('lists a refused reload as a degraded mode while the running config stays', async () => {
    const good = gateway.configFile
    const { readFileSync, writeFileSync } = await import('node:fs')
    const original = readFileSync(good, 'utf8')
    writeFileSync(good, original.replace('gateway:', 'gateway:\n  bogus_field: 1'))
    gateway.signal('SIGHUP')
    await gateway.waitForLog((l) => String(l.msg).startsWith('reload refused'))
    const body = (await statusRequest(statusPort, '/status')).json() as StatusBody & { last_reload_problems: string[] }
    assert.ok(body.degraded.includes('config-reload-refused'), JSON.stringify(body.degraded))
    assert.ok(body.last_reload_problems.some((p) => p.includes('bogus_field')))
    assert.equal((await request(port, { path: '/x' })).status, 200, 'traffic goes on')
    writeFileSync(good, original)
  })

  it('counts a restart of a killed worker and is ready again once it serves', async () => {
    const before = (await statusRequest(statusPort, '/status')).json() as StatusBody
    const victim = before.workers[0]?.pid as number
    process.kill(victim, 'SIGKILL')
    await eventually('the slot serves again with a new pid', async () => {
      const body = (await statusRequest(statusPort, '/status')).json() as StatusBody
      const slot = body.workers[0]
      return slot !== undefined && slot.pid !== victim && slot.listening && slot.restarts === 1
    })
    assert.equal((await statusRequest(statusPort, '/health/ready')).status, 200)
  })

  it('refuses unknown paths and methods with coded errors', async () => {
    assert.equal((await statusRequest(statusPort, '/nothing')).status, 404)
    assert.equal((await statusRequest(statusPort, '/status', undefined, 'POST')).status, 405)
  })
})

describe('status listener bound to a taken port', () => {
  it('is logged as an error while the gateway serves traffic', async () => {
    const upstream = new UpstreamServer()
    const upstreamPort = await upstream.listen()
    const taken = new UpstreamServer()
    const statusPort = await taken.listen()
    const port = await freePort()
    const gateway = new GatewayProcess(gatewayConfig({ port, upstreamPort, gateway: { status: { port: statusPort } } }))
    try {
      await gateway.start(1)
      await gateway.waitForLog((l) => l.msg === 'status listener could not bind; serving without it')
      assert.equal((await request(port, { path: '/x' })).status, 200)
    } finally {
      await gateway.stop()
      await taken.close()
      await upstream.close()
    }
  })
})

describe('status of a gateway whose Redis goes away', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  it('lists redis-unreachable among the degraded modes while Redis is cut, and clears it when back', async () => {
    const upstream = new UpstreamServer()
    const upstreamPort = await upstream.listen()
    const proxy = await FaultProxy.start(REDIS)
    const port = await freePort()
    const statusPort = await freePort()
    const gateway = new GatewayProcess(gatewayConfig({
      port,
      upstreamPort,
      // A 1 s push interval is the default: the degraded modes travel with the workers' reports.
      gateway: { status: { port: statusPort }, redis: { host: proxy.host, port: proxy.port } }
    }))
    const degraded = async (): Promise<string[]> => ((await statusRequest(statusPort, '/status')).json() as StatusBody).degraded
    try {
      await gateway.start(1)
      await gateway.waitForLog((l) => l.msg === 'status listener up')
      await proxy.setMode({ kind: 'refuse' })
      proxy.cutAll()
      await eventually('redis-unreachable is listed', async () => (await degraded()).some((m) => m.startsWith('redis-unreachable')))
      assert.equal((await request(port, { path: '/x' })).status, 200, 'traffic goes on')
      await proxy.setMode({ kind: 'pass' })
      await eventually('the mode is cleared', async () => !(await degraded()).some((m) => m.startsWith('redis-unreachable')), 20_000)
    } finally {
      await gateway.stop()
      await proxy.close()
      await upstream.close()
    }
  })
})
