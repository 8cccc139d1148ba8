// access-log rotation by size with two workers appending to one file through a real listener:
// every request's line is somewhere in path, path.1 … path.<keep>, whole, and carries phase times.
import assert from 'node:assert/strict'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { UpstreamServer } from '../support/upstream-server.js'

describe('access-log rotation in a running gateway with two workers', () => {
  const upstream = new UpstreamServer()
  let gateway: GatewayProcess
  let port: number
  let logFile: string
  const logDir = mkdtempSync(join(tmpdir(), 'tollgate-rotation-it-'))

  before(async () => {
    const upstreamPort = await upstream.listen()
    port = await freePort()
    gateway = new GatewayProcess('')
    logFile = join(logDir, 'access.log')
    gateway.writeConfig(gatewayConfig({
      port,
      upstreamPort,
      merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'key-m1-000001' }] } }],
      routes: [{ id: 'all', service: 'backend', paths: ['/*'] }],
      plugins: [
        { name: 'key-auth' },
        { name: 'access-log', config: { path: logFile, buffer_bytes: 1024, flush_interval_ms: 50, max_bytes: 4096, keep: 50 } }
      ]
    }))
    await gateway.start(2)
  })

  after(async () => {
    await gateway.stop()
    await upstream.close()
    rmSync(logDir, { recursive: true, force: true })
  })

  /** Every record in access.log and its rotated files. */
  function readRecords () {
    // A worker may rotate (rename every file one up) between the listing and a read: read again.
    for (let attempt = 1; ; attempt++) {
      try {
        const names = readdirSync(logDir).filter((n) => n === 'access.log' || /^access\.log\.\d+$/.test(n))
        const records = names.flatMap((n) => readFileSync(join(logDir, n), 'utf8').split('\n').filter((l) => l !== ''))
          .map((l) => JSON.parse(l) as { request_id: string, status: number, phase_ms: { rewrite: number | null, access: number | null, content: number | null } })
        return { names, records }
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || attempt === 20) throw error
      }
    }
  }

  it('keeps every line across the rotated files, with phase_ms', async () => {
    const ids = new Set<string>()
    // 200 requests, 8 at a time, so both workers write and rotate concurrently.
    for (let round = 0; round < 25; round++) {
      const answers = await Promise.all(Array.from({ length: 8 }, (_, k) => request(port, {
        path: `/orders/${round}-${k}`,
        headers: (round + k) % 5 === 0 ? {} : { apikey: 'key-m1-000001' }
      })))
      for (const res of answers) ids.add(String(res.headers['x-request-id']))
    }
    // Batches are written within 50 ms; wait (bounded) until every line is there.
    const deadline = Date.now() + 10_000
    while (readRecords().records.length < ids.size && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100))
    const { names, records } = readRecords()
    assert.ok(names.length >= 4, `rotated into ${names.length} files`)
    assert.equal(records.length, ids.size)
    assert.deepEqual(new Set(records.map((r) => r.request_id)), ids)
    const refused = records.find((r) => r.status === 401)
    const proxied = records.find((r) => r.status === 200)
    assert.ok(refused !== undefined && proxied !== undefined)
    assert.equal(typeof refused.phase_ms.access, 'number')
    assert.equal(refused.phase_ms.content, null, 'a request refused in access never ran content')
    assert.equal(typeof proxied.phase_ms.content, 'number')
  })
})
