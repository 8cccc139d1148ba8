import assert from 'node:assert/strict'
import { existsSync, readFileSync, renameSync } from 'node:fs'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

async function eventually (check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('access log of a running gateway', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let logFile: string

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess('')
    logFile = join(gateway.dir, 'access.log')
    gateway.writeConfig(gatewayConfig({
      port,
      upstreamPort,
      plugins: [{ name: 'access-log', config: { path: logFile, flush_interval_ms: 100 } }]
    }))
    await gateway.start(2)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
  })

  it('writes one JSON line per request with its id, and reopens the file on SIGUSR1 (rotation)', async () => {
    const first = await request(port, { path: '/one' })
    await eventually(() => existsSync(logFile) && readFileSync(logFile, 'utf8').includes(String(first.headers['x-request-id'])))
    const line = JSON.parse(readFileSync(logFile, 'utf8').trim().split('\n').at(-1) as string) as Record<string, unknown>
    assert.equal(line.path, '/one')
    assert.equal(line.status, 200)
    assert.equal(line.route, 'all')

    renameSync(logFile, `${logFile}.1`)
    gateway.signal('SIGUSR1')
    await new Promise((resolve) => setTimeout(resolve, 300))
    const ids: string[] = []
    for (let i = 0; i < 4; i++) ids.push(String((await request(port, { path: `/after/${i}` })).headers['x-request-id']))
    await eventually(() => existsSync(logFile) && ids.every((id) => readFileSync(logFile, 'utf8').includes(id)))
    assert.ok(!ids.some((id) => readFileSync(`${logFile}.1`, 'utf8').includes(id)), 'lines after the reopen go to the new file')
  })
})
