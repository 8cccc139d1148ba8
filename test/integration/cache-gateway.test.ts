// Gateway nodes started through the CLI on a control-plane bootstrap, against real Redis and the
// test gRPC config service: lazy merchants behind key-auth, changes seen on every node, and the
// 503 for unknown keys when Redis and the config service are both unreachable.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ConfigRpcServer } from '../support/config-rpc-server.js'
import { ConfigWriter } from '../support/config-writer.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { request } from '../support/http-client.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'
import { UpstreamServer } from '../support/upstream-server.js'

function bootstrap (port: number, redisPort: number, rpcPort: number, prefix: string, nodeId: string): Record<string, unknown> {
  return {
    gateway: {
      listeners: [{ name: 'http', port }],
      redis: { host: '127.0.0.1', port: redisPort, key_prefix: prefix, command_timeout_ms: 300, max_reconnect_delay_ms: 200 }
    },
    config_source: {
      kind: 'control-plane',
      node_id: nodeId,
      rpc: { host: '127.0.0.1', port: rpcPort, deadline_ms: 2000 },
      l1: { ttl_ms: 20_000, resurrect_ms: 20_000 },
      poll_interval_ms: 1000
    }
  }
}

const call = async (port: number, key: string): Promise<number> => (await request(port, { path: '/api/x', headers: { apikey: key } })).status

function percentile (sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)] ?? 0
}

describe('gateway nodes on the control-plane source', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const upstream = new UpstreamServer()
  let rpc: ConfigRpcServer
  let writer: ConfigWriter
  let redisProxy: FaultProxy
  const nodes: Array<{ gateway: GatewayProcess, port: number }> = []

  before(async () => {
    const upstreamPort = await upstream.listen()
    rpc = await ConfigRpcServer.start()
    redisProxy = await FaultProxy.start(REDIS)
    writer = new ConfigWriter(ConfigWriter.randomPrefix(), rpc, REDIS)
    await writer.init()
    await writer.upsert('service', 'svc', { id: 'svc', targets: [{ host: '127.0.0.1', port: upstreamPort }] })
    await writer.upsert('route', 'api', { id: 'api', paths: ['/api/*'], service: 'svc' })
    await writer.upsert('plugin', 'auth', { id: 'auth', name: 'key-auth', route: 'api' })
    await writer.upsertMerchant({ id: 'm1', credentials: { api_keys: [{ key: 'key-m1-00001' }] } })
    // Node 0 reads Redis through the fault proxy, so it alone can lose Redis.
    for (const [index, redisPort] of [redisProxy.port, REDIS.port].entries()) {
      const port = await freePort()
      const gateway = new GatewayProcess(bootstrap(port, redisPort, rpc.port, writer.prefix, `node-${index}`))
      await gateway.start(1, 60_000) // generous: the shared machine can be very busy
      nodes.push({ gateway, port })
    }
  })

  after(async () => {
    for (const { gateway } of nodes) await gateway.stop()
    await writer.close()
    await redisProxy.close()
    await rpc.stop()
    await upstream.close()
  })

  it('serves a merchant loaded lazily on every node, and refuses an unknown key', async () => {
    for (const { port } of nodes) {
      assert.equal(await call(port, 'key-m1-00001'), 200)
      assert.equal(await call(port, 'key-unknown-1'), 401)
    }
  })

  it('sees a merchant status change on every node; prints p50/p99 propagation over 100 changes', async () => {
    const times: number[] = []
    for (let i = 0; i < 100; i++) {
      const disabled = i % 2 === 0
      const started = performance.now()
      await writer.upsert('merchant', 'm1', { id: 'm1', status: disabled ? 'disabled' : 'active', credentials: { api_keys: [{ key: 'key-m1-00001' }] } })
      const wanted = disabled ? 401 : 200
      for (const { port } of nodes) {
        while (await call(port, 'key-m1-00001') !== wanted) {
          if (performance.now() - started > 5000) assert.fail(`change ${i} not seen on port ${port} within 5 s`)
        }
      }
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(`config propagation to 2 nodes over 100 changes (pub/sub): p50 ${percentile(times, 0.5).toFixed(1)} ms, p99 ${percentile(times, 0.99).toFixed(1)} ms`)
    assert.equal(await call(nodes[0]?.port ?? 0, 'key-m1-00001'), 200)
  })

  it('with the invalidation message lost, every node sees a change within the poll bound (1 s + RTT)', async () => {
    const times: number[] = []
    for (let i = 0; i < 6; i++) {
      const disabled = i % 2 === 0
      const started = performance.now()
      await writer.upsert('merchant', 'm1', { id: 'm1', status: disabled ? 'disabled' : 'active', credentials: { api_keys: [{ key: 'key-m1-00001' }] } }, { publish: false })
      for (const { port } of nodes) {
        while (await call(port, 'key-m1-00001') !== (disabled ? 401 : 200)) {
          if (performance.now() - started > 3000) assert.fail(`change ${i} not repaired by the poll on port ${port}`)
          await new Promise((resolve) => setTimeout(resolve, 20))
        }
      }
      times.push(performance.now() - started)
    }
    times.sort((a, b) => a - b)
    console.log(`config propagation with the message lost (poll + stream replay), 6 changes: p50 ${percentile(times, 0.5).toFixed(1)} ms, max ${(times.at(-1) ?? 0).toFixed(1)} ms`)
  })

  it('a miss storm of 1,000 concurrent requests for an uncached merchant makes at most one L3 call per entity on a one-worker node', async () => {
    const node = nodes[1]
    assert.ok(node !== undefined)
    // Known to the config service only (not in Redis): every load of it is an L3 call.
    const hash = (await import('node:crypto')).createHash('sha256').update('key-storm-0001').digest('hex')
    rpc.entities.set(`credential:api_key:${hash}`, { version: writer.version, body: { merchant_id: 'm-storm' } })
    rpc.entities.set('merchant:m-storm', { version: writer.version, body: { id: 'm-storm', credentials: { api_keys: [{ key: 'key-storm-0001' }] } } })
    rpc.delayMs = 100
    const agent = new (await import('node:http')).Agent({ keepAlive: true, maxSockets: 200 })
    try {
      const statuses = await Promise.all(Array.from({ length: 1000 }, async () => (await request(node.port, { path: '/api/x', headers: { apikey: 'key-storm-0001' }, agent })).status))
      assert.ok(statuses.every((status) => status === 200), `statuses: ${[...new Set(statuses)].join(',')}`)
    } finally {
      rpc.delayMs = 0
      agent.destroy()
    }
    // Node 0 never saw this key; node 1 has one worker: one call per entity.
    assert.equal(rpc.entityCalls.get(`credential:api_key:${hash}`), 1)
    assert.equal(rpc.entityCalls.get('merchant:m-storm'), 1)
  })

  it('a revoked key is refused on every node; a route added is served', async () => {
    await writer.upsertMerchant({ id: 'm2', credentials: { api_keys: [{ key: 'key-m2-00001' }] } })
    for (const { port } of nodes) assert.equal(await call(port, 'key-m2-00001'), 200)
    await writer.upsert('merchant', 'm2', { id: 'm2', credentials: { api_keys: [] } })
    await writer.remove('credential', `api_key:${(await import('node:crypto')).createHash('sha256').update('key-m2-00001').digest('hex')}`)
    await writer.upsert('route', 'v2', { id: 'v2', paths: ['/v2/*'], service: 'svc' })
    for (const { port } of nodes) {
      const started = performance.now()
      while (await call(port, 'key-m2-00001') !== 401) if (performance.now() - started > 3000) assert.fail('revocation not seen')
      while ((await request(port, { path: '/v2/x' })).status !== 200) if (performance.now() - started > 3000) assert.fail('route not seen')
    }
  })

  it('with Redis and the config service down: known keys keep working from L1, unknown keys get 503 with retry-after', async () => {
    const node = nodes[0]
    assert.ok(node !== undefined)
    assert.equal(await call(node.port, 'key-m1-00001'), 200)
    await redisProxy.setMode({ kind: 'refuse' })
    redisProxy.cutAll()
    await rpc.stop()
    try {
      assert.equal(await call(node.port, 'key-m1-00001'), 200)
      const refused = await request(node.port, { path: '/api/x', headers: { apikey: 'key-never-seen' } })
      assert.equal(refused.status, 503)
      assert.equal(refused.headers['retry-after'], '1')
      const body = refused.json() as { error: { code: string, request_id: string } }
      assert.equal(body.error.code, 'TG_CONFIG_UNAVAILABLE')
      assert.ok(body.error.request_id.length > 0)
      await node.gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('config service (L3) unreachable'), 5000)
    } finally {
      await redisProxy.setMode({ kind: 'pass' })
      await rpc.resume()
    }
  })
})
