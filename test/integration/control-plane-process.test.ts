// `tollgate control-plane` as a real process against the real MariaDB and Redis: a merchant added
// through the admin API reaches Redis through the relay and the RPC service answers it; the
// migrate and config export/import commands; SIGTERM stops it cleanly.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { credentials } from '@grpc/grpc-js'
import { Redis } from 'ioredis'
import { MYSQL, REDIS, skipUnlessReachable } from '../support/services.js'
import { MAIN } from '../support/gateway-process.js'
import { ControlPlaneProcess } from '../support/control-plane-process.js'
import { apiKeyCredential } from '../../src/control-plane/store/credential-keys.js'
import { loadConfigService } from '../../src/control-plane/rpc/load-service.js'

const skip = await skipUnlessReachable('mysql', MYSQL) || await skipUnlessReachable('redis', REDIS)

function cli (...args: string[]): { status: number | null, stdout: string, stderr: string } {
  const result = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf8' })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

describe('tollgate control-plane process', { skip }, () => {
  let cp: ControlPlaneProcess
  let redis: Redis

  before(async () => {
    cp = await ControlPlaneProcess.create()
    await cp.start()
    redis = new Redis({ host: REDIS.host, port: REDIS.port })
  })
  after(async () => {
    await cp?.cleanup()
    if (redis !== undefined) {
      const keys = await redis.keys(`${cp.keyPrefix}*`)
      if (keys.length > 0) await redis.del(...keys)
      redis.disconnect()
    }
  })

  it('migrated on start: `tollgate migrate` finds the schema current', () => {
    const result = cli('migrate', '-c', cp.settingsFile)
    assert.equal(result.status, 0, result.stderr)
    assert.equal(result.stdout, 'schema is current\n')
  })

  it('a merchant added through the admin API reaches Redis through the relay and is answered by the RPC service', async (t) => {
    const created = await cp.admin('PUT', '/merchants/shop', { name: 'Shop', credentials: { api_keys: [{ key: 'shop-key-0000001' }] } })
    assert.equal(created.status, 201)
    const credentialKey = `${cp.keyPrefix}cfg:e:credential:${apiKeyCredential('shop-key-0000001')}`
    const started = Date.now()
    while (await redis.get(credentialKey) === null && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 10))
    assert.deepEqual(JSON.parse(String(await redis.get(credentialKey))).body, { merchant_id: 'shop' })
    // A figure, not an assertion: the machine is shared and timing is never asserted.
    t.diagnostic(`admin write → Redis (relay woken by the commit): ${Date.now() - started} ms`)

    const ConfigService = loadConfigService()
    const client = new ConfigService(`127.0.0.1:${cp.rpcPort}`, credentials.createInsecure()) as unknown as { GetEntity: (r: unknown, cb: (e: Error | null, reply: { found: boolean, body: Buffer }) => void) => void, close: () => void }
    try {
      const reply = await new Promise<{ found: boolean, body: Buffer }>((resolve, reject) => client.GetEntity({ kind: 'merchant', key: 'shop' }, (e, r) => { if (e !== null) reject(e); else resolve(r) }))
      assert.equal(reply.found, true)
      assert.equal(JSON.parse(reply.body.toString()).name, 'Shop')
    } finally {
      client.close()
    }
  })

  it('lists live gateway nodes from their heartbeats with their lag', async () => {
    await redis.set(`${cp.keyPrefix}cfg:node:gw-1`, JSON.stringify({ node: 'gw-1', applied_version: 0, behind_versions: 1, behind_seconds: 0.5, at: Date.now() }), 'PX', 10_000)
    const nodes = await cp.admin('GET', '/nodes')
    assert.equal(nodes.status, 200)
    assert.equal(nodes.body.nodes.length, 1)
    assert.equal(nodes.body.nodes[0].node, 'gw-1')
    assert.equal(nodes.body.nodes[0].behind_versions, 1)
    assert.equal(nodes.body.nodes[0].versions_behind_relay, 1)
  })

  it('config export writes the stored configuration; import of an edited file replaces it', () => {
    const file = join(cp.dir, 'export.yaml')
    const exported = cli('config', 'export', '-c', cp.settingsFile, '-o', file)
    assert.equal(exported.status, 0, exported.stderr)
    const text = readFileSync(file, 'utf8')
    assert.match(text, /id: shop/)
    writeFileSync(file, text.replace('name: Shop', 'name: Shop Two'))
    const imported = cli('config', 'import', '-c', cp.settingsFile, file)
    assert.equal(imported.status, 0, imported.stderr)
    // The gateway settings were never written, so the export's (all defaults) are created.
    assert.match(imported.stdout, /1 created, 1 updated, 0 deleted/)
    const bad = cli('config', 'import', '-c', cp.settingsFile, join(cp.dir, 'missing.yaml'))
    assert.equal(bad.status, 1)
    assert.match(bad.stderr, /cannot read the file/)
  })

  it('stops on SIGTERM with exit code 0', async () => {
    assert.equal(await cp.stop(), 0)
  })
})
