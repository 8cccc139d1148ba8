// The control-plane config source of one worker, in process, against real Redis (fault proxy in
// front of it for outages) and a real gRPC config service (test/support/config-rpc-server.ts).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ControlPlaneSource } from '../../src/config-source/control-plane-source.js'
import { apiKeyCredential } from '../../src/control-plane/store/credential-keys.js'
import type { GatewayConfig } from '../../src/config/gateway-config.js'
import { validateConfig } from '../../src/config/validate.js'
import { GatewayError } from '../../src/errors.js'
import type { Logger } from '../../src/kit/logger.js'
import { PluginSet } from '../../src/server/load-config.js'
import { BUNDLED_PLUGINS } from '../../src/plugins/registry.js'
import { ConfigRpcServer } from '../support/config-rpc-server.js'
import { ConfigWriter } from '../support/config-writer.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'

/** A logger that keeps warn lines, so each degraded mode can be seen logged at warn. */
function recordingLogger (warnings: string[]): Logger {
  const log: Logger = {
    error: () => {},
    warn: (_obj, msg) => { warnings.push(msg ?? '') },
    info: () => {},
    debug: () => {},
    child: () => log
  }
  return log
}

async function waitFor (what: string, test: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<number> {
  const started = Date.now()
  while (!(await test())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return Date.now() - started
}

const plugins = new PluginSet(BUNDLED_PLUGINS)

function bootstrap (redisPort: number, rpcPort: number, prefix: string, extra: Record<string, unknown> = {}): GatewayConfig {
  const result = validateConfig({
    gateway: { redis: { host: '127.0.0.1', port: redisPort, key_prefix: prefix, command_timeout_ms: 300, max_reconnect_delay_ms: 200 } },
    config_source: {
      kind: 'control-plane',
      node_id: 'node-a',
      rpc: { host: '127.0.0.1', port: rpcPort, deadline_ms: 2000 },
      l1: { ttl_ms: 1500, negative_ttl_ms: 1000, resurrect_ms: 4000 },
      poll_interval_ms: 200,
      ...extra
    }
  }, { file: 'bootstrap', baseDir: '.', pluginSchema: plugins.schemaOf })
  if (!result.ok) throw new Error(JSON.stringify(result.problems))
  return result.config
}

const SERVICE = { id: 'svc', targets: [{ host: '127.0.0.1', port: 9 }] }
const ROUTE = { id: 'api', paths: ['/api'], service: 'svc' }
const merchant = (id: string, key: string, status = 'active'): { id: string, status: string, credentials: { api_keys: Array<{ key: string }>, secrets: Array<{ id: string, secret: string }> } } =>
  ({ id, status, credentials: { api_keys: [{ key }], secrets: [{ id: 's1', secret: `secret-of-${id}` }] } })

interface Harness {
  source: ControlPlaneSource
  installed: Array<{ version: number, config: GatewayConfig }>
  warnings: string[]
}

describe('control-plane config source (one worker)', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  let rpc: ConfigRpcServer
  let redisProxy: FaultProxy
  let writer: ConfigWriter
  let dir: string
  const started: ControlPlaneSource[] = []

  async function startSource (extra: Record<string, unknown> = {}): Promise<Harness> {
    const installed: Harness['installed'] = []
    const warnings: string[] = []
    const source = new ControlPlaneSource({
      bootstrap: bootstrap(redisProxy.port, rpc.port, writer.prefix, extra),
      log: recordingLogger(warnings),
      pluginSchema: plugins.schemaOf,
      leader: true,
      install: async (config, version) => { installed.push({ version, config }) }
    })
    started.push(source)
    await source.start()
    return { source, installed, warnings }
  }

  before(async () => {
    rpc = await ConfigRpcServer.start()
    redisProxy = await FaultProxy.start(REDIS)
    writer = new ConfigWriter(ConfigWriter.randomPrefix(), rpc, REDIS)
    dir = mkdtempSync(join(tmpdir(), 'tollgate-cache-'))
    await writer.init()
    await writer.upsert('service', 'svc', SERVICE)
    await writer.upsert('route', 'api', ROUTE)
    await writer.upsert('plugin', 'auth', { id: 'auth', name: 'key-auth', route: 'api' })
  })

  after(async () => {
    for (const source of started) await source.stop()
    await writer.close()
    await redisProxy.close()
    await rpc.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('installs the route table from Redis and loads a merchant lazily; an L1 hit answers synchronously', async () => {
    await writer.upsertMerchant(merchant('m-lazy', 'key-lazy-0001'))
    const { source, installed } = await startSource()
    assert.equal(installed.length, 1)
    assert.deepEqual(installed[0]?.config.routes.map((r) => r.id), ['api'])
    assert.deepEqual(installed[0]?.config.plugins.map((p) => p.id), ['auth'])
    const first = source.merchants.findByApiKey('key-lazy-0001')
    assert.ok(first instanceof Promise, 'a miss loads asynchronously')
    assert.equal((await first)?.merchant.id, 'm-lazy')
    const second = source.merchants.findByApiKey('key-lazy-0001')
    assert.ok(!(second instanceof Promise), 'an L1 hit is not a promise')
    assert.equal(second?.merchant.id, 'm-lazy')
    const app = await source.merchants.findSigningApp('m-lazy')
    assert.equal(app?.secrets[0]?.secret, 'secret-of-m-lazy')
    assert.ok(source.stats.l2Hits >= 2)
    assert.ok(source.stats.l1Hits >= 1)
  })

  it('a miss storm of 1,000 concurrent lookups makes one L3 call; unknown keys are answered from the negative cache', async () => {
    const { source } = await startSource()
    // Only the config service knows this merchant (Redis lacks it), so every load would be an L3 call.
    rpc.entities.set('merchant:m-storm', { version: writer.version, body: merchant('m-storm', 'key-storm-001') })
    rpc.delayMs = 50
    const before = rpc.entityCalls.get('merchant:m-storm') ?? 0
    const answers = await Promise.all(Array.from({ length: 1000 }, async () => await source.merchants.findById('m-storm')))
    rpc.delayMs = 0
    assert.ok(answers.every((m) => m?.id === 'm-storm'))
    assert.equal((rpc.entityCalls.get('merchant:m-storm') ?? 0) - before, 1)
    const unknown = apiKeyCredential('no-such-key-000')
    const flood = await Promise.all(Array.from({ length: 1000 }, async () => await source.merchants.findByApiKey('no-such-key-000')))
    assert.ok(flood.every((r) => r === undefined))
    assert.equal(rpc.entityCalls.get(`credential:${unknown}`), 1)
    const negativeBefore = source.stats.negativeHits
    for (let i = 0; i < 1000; i++) assert.equal(source.merchants.findByApiKey('no-such-key-000'), undefined)
    assert.equal(source.stats.negativeHits - negativeBefore, 1000)
  })

  it('a revoked key and a new merchant are seen through pub/sub', async () => {
    await writer.upsertMerchant(merchant('m-revoke', 'key-revoke-01'))
    const { source } = await startSource()
    assert.equal((await source.merchants.findByApiKey('key-revoke-01'))?.merchant.id, 'm-revoke')
    await writer.upsert('merchant', 'm-revoke', { ...merchant('m-revoke', 'key-revoke-02') })
    await writer.remove('credential', apiKeyCredential('key-revoke-01'))
    await waitFor('the revoked key refused', async () => (await source.merchants.findByApiKey('key-revoke-01')) === undefined, 3000)
    assert.ok(source.stats.messages >= 2)
    assert.equal(await source.merchants.findByApiKey('key-new-00001'), undefined)
    await writer.upsertMerchant(merchant('m-new', 'key-new-00001'))
    await waitFor('the new merchant found', async () => (await source.merchants.findByApiKey('key-new-00001'))?.merchant.id === 'm-new', 3000)
  })

  it('a lost message is repaired by the version poll (stream replay)', async () => {
    await writer.upsertMerchant(merchant('m-lost', 'key-lost-0001'))
    const { source } = await startSource()
    assert.equal((await source.merchants.findById('m-lost'))?.status, 'active')
    await writer.upsert('merchant', 'm-lost', merchant('m-lost', 'key-lost-0001', 'disabled'), { publish: false })
    await waitFor('the disabled status seen', async () => (await source.merchants.findById('m-lost'))?.status === 'disabled', 3000)
    assert.equal(source.stats.appliedVersion, writer.version)
    assert.equal(source.stats.behindVersions, 0)
  })

  it('a route-table change installs a new snapshot; a change made while the message is lost too', async () => {
    const { source, installed } = await startSource()
    const count = installed.length
    await writer.upsert('route', 'api2', { id: 'api2', paths: ['/api2'], service: 'svc' })
    await waitFor('the new route installed', () => installed.at(-1)?.config.routes.some((r) => r.id === 'api2') === true, 3000)
    await writer.upsert('route', 'api3', { id: 'api3', paths: ['/api3'], service: 'svc' }, { publish: false })
    await waitFor('the route sent without a message installed', () => installed.at(-1)?.config.routes.some((r) => r.id === 'api3') === true, 3000)
    assert.ok(installed.length >= count + 2)
    assert.equal(source.stats.routeTableVersion, installed.at(-1)?.version)
  })

  it('Redis down: new loads go to the config service and L1 keeps serving; logged at warn', async () => {
    await writer.upsertMerchant(merchant('m-r1', 'key-rdown-001'))
    await writer.upsertMerchant(merchant('m-r2', 'key-rdown-002'))
    const { source, warnings } = await startSource()
    assert.equal((await source.merchants.findById('m-r1'))?.id, 'm-r1')
    await redisProxy.setMode({ kind: 'refuse' })
    redisProxy.cutAll()
    try {
      const l3Before = source.stats.l3Hits
      assert.equal(source.merchants.findById('m-r1') instanceof Promise, false, 'L1 still answers')
      assert.equal((await source.merchants.findById('m-r2'))?.id, 'm-r2')
      assert.ok(source.stats.l3Hits > l3Before)
      await waitFor('redis down flagged', () => source.stats.redisDown)
      assert.ok(warnings.some((w) => w.includes('Redis (L2) unreachable')))
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
    }
    await waitFor('redis back', () => !source.stats.redisDown && !source.stats.subscriberDown, 8000)
  })

  it('Redis unreachable: a change is seen within the L1 TTL, loaded from the config service', async () => {
    await writer.upsertMerchant(merchant('m-ttl', 'key-ttl-00001'))
    const { source } = await startSource()
    assert.equal((await source.merchants.findById('m-ttl'))?.status, 'active')
    await redisProxy.setMode({ kind: 'refuse' })
    redisProxy.cutAll()
    try {
      // Written while this node cannot hear about it: only the TTL (1.5 s ± 10 %) bounds its staleness.
      await writer.upsert('merchant', 'm-ttl', merchant('m-ttl', 'key-ttl-00001', 'disabled'))
      // The bound is the TTL; the slack only absorbs a loaded machine (no timing is asserted finer).
      await waitFor('the change seen after the TTL', async () => (await source.merchants.findById('m-ttl'))?.status === 'disabled', 1700 + 5000)
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
    }
  })

  it('Redis unreachable: a route-table change is installed from the config service within the L1 TTL (issue 7)', async () => {
    const { source, installed } = await startSource()
    await redisProxy.setMode({ kind: 'refuse' })
    redisProxy.cutAll()
    try {
      await waitFor('redis down flagged', () => source.stats.redisDown, 3000)
      // No message and no stream reach this node: only the check against the config service does.
      await writer.upsert('route', 'api-ttl', { id: 'api-ttl', paths: ['/api-ttl'], service: 'svc' })
      await waitFor('the route installed from the config service', () => installed.at(-1)?.config.routes.some((r) => r.id === 'api-ttl') === true, 8000)
      assert.equal(source.stats.routeTableVersion, installed.at(-1)?.version)
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
    }
  })

  it('config service down: L2 and L1 carry on', async () => {
    await writer.upsertMerchant(merchant('m-c1', 'key-cdown-001'))
    const { source, warnings } = await startSource()
    await rpc.stop()
    try {
      // Redis lacks this one: only L3 could answer it, so the lookup fails and flags L3 down.
      rpc.entities.set('merchant:m-only-l3', { version: writer.version, body: merchant('m-only-l3', 'key-onlyl3-01') })
      await assert.rejects(async () => { await source.merchants.findById('m-only-l3') }, (error: unknown) => error instanceof GatewayError && error.code === 'TG_CONFIG_UNAVAILABLE')
      assert.equal((await source.merchants.findByApiKey('key-cdown-001'))?.merchant.id, 'm-c1')
      assert.ok(source.stats.rpcDown)
      assert.ok(warnings.some((w) => w.includes('config service (L3) unreachable')))
    } finally {
      await rpc.resume()
    }
  })

  it('both down: a stale entry is served within the resurrect window; an unknown key gets 503 with retry-after', async () => {
    await writer.upsertMerchant(merchant('m-stale', 'key-stale-001'))
    const { source, warnings } = await startSource()
    assert.equal((await source.merchants.findById('m-stale'))?.id, 'm-stale')
    await redisProxy.setMode({ kind: 'refuse' })
    redisProxy.cutAll()
    await rpc.stop()
    try {
      await new Promise((resolve) => setTimeout(resolve, 1800)) // past the L1 TTL (1.5 s ± 10 %)
      assert.equal((await source.merchants.findById('m-stale'))?.id, 'm-stale')
      assert.ok(source.stats.staleServed >= 1)
      assert.ok(warnings.some((w) => w.includes('serving the stale copy')))
      await assert.rejects(async () => { await source.merchants.findById('m-never-seen') }, (error: unknown) => {
        assert.ok(error instanceof GatewayError)
        assert.equal(error.code, 'TG_CONFIG_UNAVAILABLE')
        assert.equal(error.status, 503)
        assert.equal(error.headers?.['retry-after'], '1')
        return true
      })
      assert.ok(source.stats.unavailable >= 1)
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
      await rpc.resume()
    }
  })

  it('Redis flushed or replaced (cfg:epoch changed): full L1 flush and the route table reloaded', async () => {
    const { source, installed, warnings } = await startSource()
    const count = installed.length
    const flushes = source.stats.fullFlushes
    await writer.redis.set(`${writer.prefix}cfg:epoch`, 'replaced-epoch')
    await waitFor('a full flush', () => source.stats.fullFlushes > flushes, 3000)
    await waitFor('the route table reloaded', () => installed.length > count, 3000)
    assert.ok(warnings.some((w) => w.includes('full resync')))
  })

  it('starts while the config service is down: from Redis; with both down: from the last-good file, saying so', async () => {
    const file = join(dir, 'last-good.json')
    const first = await startSource({ snapshot_file: file })
    await waitFor('the last-good file written', async () => {
      try { (await import('node:fs')).statSync(file); return true } catch { return false }
    })
    await first.source.stop()
    await rpc.stop()
    try {
      const fromRedis = await startSource({ snapshot_file: file })
      assert.equal(fromRedis.installed.length, 1)
      assert.equal(fromRedis.source.stats.fromSnapshotFile, false)
      await fromRedis.source.stop()
      await redisProxy.setMode({ kind: 'refuse' })
      redisProxy.cutAll()
      const fromFile = await startSource({ snapshot_file: file })
      assert.equal(fromFile.installed.length, 1)
      assert.deepEqual(fromFile.installed[0]?.config.routes.map((r) => r.id).includes('api'), true)
      assert.equal(fromFile.source.stats.fromSnapshotFile, true)
      assert.ok(fromFile.warnings.some((w) => w.includes('started degraded, route table from the snapshot file')))
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
      await rpc.resume()
    }
  })

  it('writes the node heartbeat with its config lag', async () => {
    await startSource()
    await waitFor('the heartbeat', async () => (await writer.redis.get(`${writer.prefix}cfg:node:node-a`)) !== null)
    const beat = JSON.parse((await writer.redis.get(`${writer.prefix}cfg:node:node-a`)) ?? '{}') as Record<string, unknown>
    assert.equal(beat.node, 'node-a')
    assert.equal(typeof beat.applied_version, 'number')
    const ttl = await writer.redis.ttl(`${writer.prefix}cfg:node:node-a`)
    assert.ok(ttl > 0 && ttl <= 10)
  })
})
