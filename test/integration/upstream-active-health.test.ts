// Active health checks through a real gateway (primary + 2 workers) and two real upstreams: the
// primary's checks take a target whose health path fails out of every worker, and bring it back
// when it passes again, with slow start (its share of traffic grows over slow_start_ms).
import assert from 'node:assert/strict'
import http from 'node:http'
import { after, before, test } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess, MAIN } from '../support/gateway-process.js'
import { statusRequest } from '../support/status-client.js'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { UpstreamServer } from '../support/upstream-server.js'

const SLOW_START_MS = 4000
/** Per upstream: what its /health answers now. */
const healthStatus = { a: 200, b: 200 }

function upstream (name: 'a' | 'b'): UpstreamServer {
  return new UpstreamServer((req, res) => {
    res.writeHead(req.url === '/health' ? healthStatus[name] : 200, { 'content-type': 'text/plain' })
    res.end(name)
  })
}
const a = upstream('a')
const b = upstream('b')
let gateway: GatewayProcess
let port: number
let statusPort: number
const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })

before(async () => {
  const aPort = await a.listen()
  const bPort = await b.listen()
  port = await freePort()
  statusPort = await freePort()
  gateway = new GatewayProcess(gatewayConfig({
    port,
    gateway: { status: { host: '127.0.0.1', port: statusPort } },
    upstreamPort: aPort,
    services: [{
      id: 'backend',
      balancer: 'round-robin',
      slow_start_ms: SLOW_START_MS,
      targets: [{ host: '127.0.0.1', port: aPort }, { host: '127.0.0.1', port: bPort }],
      health_checks: { active: { path: '/health', interval_ms: 100, timeout_ms: 500, healthy_threshold: 2, unhealthy_threshold: 2 } }
    }]
  }))
  await gateway.start(2, 60_000)
})

after(async () => {
  agent.destroy()
  await gateway.stop()
  await a.close()
  await b.close()
})

function get (): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/work', agent }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { body += chunk }).on('end', () => resolve(`${res.statusCode ?? 0} ${body}`))
    }).on('error', reject)
  })
}

/** Sends `count` requests, 4 at a time, and returns how many each upstream answered. */
async function shares (count: number): Promise<{ a: number, b: number, other: number }> {
  const counts = { a: 0, b: 0, other: 0 }
  let left = count
  await Promise.all(Array.from({ length: 4 }, async () => {
    while (left-- > 0) {
      const answer = await get()
      if (answer === '200 a') counts.a++
      else if (answer === '200 b') counts.b++
      else counts.other++
    }
  }))
  return counts
}

void test('a target whose health path fails is taken out of every worker; back, it ramps up', async () => {
  const before = await shares(60)
  assert.equal(before.other, 0)
  assert.ok(before.b >= 20, `b served ${before.b} of 60 before`)

  healthStatus.b = 503
  await gateway.waitForLog((line) => line.msg === 'upstream target down (active checks)', 5000)
  // The verdict reaches the workers over IPC right after the log line; allow a moment.
  await new Promise((resolve) => setTimeout(resolve, 200))
  const down = await shares(60)
  console.log(`active health: b down: a ${down.a}, b ${down.b}`)
  assert.deepEqual(down, { a: 60, b: 0, other: 0 })
  const report = (await statusRequest(statusPort, '/status/upstreams')).json() as { services: Array<{ id: string, active_checks: boolean, targets: Array<{ address: string, state: string, active: { healthy: boolean, last_error: string | null } }> }> }
  assert.equal(report.services[0]?.active_checks, true)
  assert.deepEqual(report.services[0]?.targets.map((t) => [t.address, t.state, t.active.last_error]), [
    [`127.0.0.1:${a.port}`, 'healthy', null], [`127.0.0.1:${b.port}`, 'unhealthy', 'status 503']
  ])
  const { stdout } = await promisify(execFile)(process.execPath, [MAIN, 'status', '-c', gateway.configFile])
  const printed = JSON.parse(stdout) as { upstreams: typeof report }
  assert.equal(printed.upstreams.services[0]?.targets[1]?.state, 'unhealthy')

  healthStatus.b = 200
  await gateway.waitForLog((line) => line.msg === 'upstream target healthy again (active checks)', 5000)
  await new Promise((resolve) => setTimeout(resolve, 100))
  const early = await shares(120)
  await new Promise((resolve) => setTimeout(resolve, SLOW_START_MS))
  const late = await shares(120)
  const earlyShare = early.b / 120
  const lateShare = late.b / 120
  console.log(`slow start: b's share just back ${(earlyShare * 100).toFixed(1)} %, after ${SLOW_START_MS} ms ${(lateShare * 100).toFixed(1)} %`)
  assert.equal(early.other + late.other, 0)
  assert.ok(earlyShare < 0.35, `early share ${earlyShare}`)
  assert.ok(lateShare > 0.4, `late share ${lateShare}`)
  assert.ok(lateShare > earlyShare)
})
