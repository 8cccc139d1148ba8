// End to end (issue 7): a real control plane (MariaDB, Redis) and three gateway nodes on its config
// source, every change made through the admin API and observed as behaviour on the nodes' public
// listeners. Pub/sub propagation over 100 changes; one node's invalidation subscriber cut; Redis
// unreachable for everyone; the control plane SIGKILLed mid-load with a change not yet relayed.
// Bounds are the documented staleness bounds (docs/control-plane.md) plus a generous slack for a
// busy 2-core machine; the measured figures are printed, never asserted.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { Redis } from 'ioredis'
import { ControlPlaneCluster, L1_JITTER, stableKey, type ClusterNode } from '../support/control-plane-cluster.js'
import { ChangeSequence, KnownMerchantLoad, measurePropagation, summarize, waitServed } from '../support/config-propagation.js'
import { MYSQL, REDIS, skipUnlessReachable } from '../support/services.js'
import { eventually } from '../support/status-client.js'

const POLL_MS = 1000
const L1_TTL_MS = 4000
/** Added to every bound: a loaded shared machine, three gateways and a control plane on two cores. */
const SLACK_MS = 6000
/** Redis reachable: pub/sub latency, or one poll period + RTT when a message is lost. */
const POLL_BOUND_MS = POLL_MS + SLACK_MS
/** Redis unreachable: the L1 TTL (with its jitter), then the poll that notices + the load. */
const TTL_BOUND_MS = L1_TTL_MS * (1 + L1_JITTER) + POLL_MS + SLACK_MS
/** The name the config subscriber gives its Redis connection (src/config-source/control-plane-source.ts). */
const SUBSCRIBER_CONNECTION = 'tollgate-config-subscriber'

const skip = await skipUnlessReachable('mysql', MYSQL) || await skipUnlessReachable('redis', REDIS)

function report (what: string, times: readonly number[]): void {
  console.log(`propagation, ${what}: ${summarize(times)}`)
}

async function cutOff (proxy: ControlPlaneCluster['redisProxy']): Promise<void> {
  await proxy.setMode({ kind: 'refuse' })
  proxy.cutAll()
}

describe('control plane end to end: three gateway nodes', { skip }, () => {
  let cluster: ControlPlaneCluster
  let changes: ChangeSequence

  const degradedOn = async (node: ClusterNode, mode: string, on: boolean): Promise<void> => {
    await eventually(`${node.id} ${on ? 'lists' : 'no longer lists'} degraded mode ${mode}`, async () => (await cluster.degraded(node)).includes(mode) === on, 30_000)
  }

  before(async () => {
    cluster = await ControlPlaneCluster.start({ nodes: 3, workers: 1, l1TtlMs: L1_TTL_MS, pollMs: POLL_MS })
    changes = new ChangeSequence(cluster)
  })

  after(async () => {
    await cluster?.stop()
  })

  it('every node serves the merchants seeded through the admin API and refuses an unknown key', async () => {
    for (const node of cluster.nodes) {
      for (let i = 0; i < 3; i++) assert.equal((await cluster.call(node.port, '/api/x', stableKey(i))).status, 200)
      assert.equal((await cluster.call(node.port, '/api/x', 'key-nobody-000001')).status, 401)
    }
  })

  it('100 changes through the admin API reach every node by pub/sub; prints p50/p99/max', async () => {
    const all: number[] = []
    const slowest: number[] = []
    for (let i = 0; i < 100; i++) {
      const times = await measurePropagation(cluster.nodes, changes.next(), POLL_BOUND_MS)
      all.push(...times)
      slowest.push(Math.max(...times))
    }
    report('3 nodes × 100 changes (plugin for one merchant, key rotation, route added), per node', all)
    report('same changes, until the last of the 3 nodes', slowest)
    const nodes = (await cluster.cp.admin('GET', '/nodes')).body as { nodes: Array<{ node: string }> }
    assert.deepEqual(nodes.nodes.map((n) => n.node).sort(), ['node-0', 'node-1', 'node-2'])
  })

  it('with one node\'s invalidation subscriber cut, that node converges by the version poll, the others by pub/sub', async () => {
    const [cut, ...others] = cluster.nodes as [ClusterNode, ...ClusterNode[]]
    await cut.redisProxy.setMode({ kind: 'cut-matching', pattern: SUBSCRIBER_CONNECTION })
    const cutTimes: number[] = []
    const otherTimes: number[] = []
    try {
      await degradedOn(cut, 'config-subscriber-down', true)
      for (const node of others) assert.ok(!(await cluster.degraded(node)).includes('config-subscriber-down'))
      for (let i = 0; i < 9; i++) {
        const [first = 0, ...rest] = await measurePropagation(cluster.nodes, changes.next(), POLL_BOUND_MS)
        cutTimes.push(first)
        otherTimes.push(...rest)
      }
      // It got them without a single message: its subscriber never came back meanwhile.
      assert.ok((await cluster.degraded(cut)).includes('config-subscriber-down'))
    } finally {
      await cut.redisProxy.setMode({ kind: 'pass' })
    }
    report(`${cut.id} with its subscriber cut (version poll every ${POLL_MS} ms)`, cutTimes)
    report('the other nodes meanwhile (pub/sub)', otherTimes)
    await degradedOn(cut, 'config-subscriber-down', false)
    await measurePropagation(cluster.nodes, changes.next(), POLL_BOUND_MS)
  })

  it('with Redis unreachable for every node and the relay, nodes serve from L1 and the config service, changes arrive within the L1 TTL, the degraded mode shows and clears', async () => {
    const load = new KnownMerchantLoad(cluster)
    const times: number[] = []
    let outcome: { requests: number, failures: string[] }
    try {
      await cutOff(cluster.redisProxy)
      await cutOff(cluster.cpRedisProxy)
      for (const node of cluster.nodes) {
        await degradedOn(node, 'config-redis-unreachable', true)
        await node.gateway.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('Redis (L2) unreachable'), 10_000)
      }
      // A merchant (lazy, per key) and two route-table changes, made while no message can flow.
      for (const kind of ['key', 'plugin', 'route'] as const) times.push(...await measurePropagation(cluster.nodes, changes.next(kind), TTL_BOUND_MS))
      report(`Redis unreachable (L1 TTL ${L1_TTL_MS} ms, then the config service)`, times)
      await cluster.cpRedisProxy.setMode({ kind: 'pass' })
      await cluster.redisProxy.setMode({ kind: 'pass' })
      for (const node of cluster.nodes) {
        await degradedOn(node, 'config-redis-unreachable', false)
        await degradedOn(node, 'config-subscriber-down', false)
      }
      await measurePropagation(cluster.nodes, changes.next(), POLL_BOUND_MS)
    } finally {
      await cluster.cpRedisProxy.setMode({ kind: 'pass' })
      await cluster.redisProxy.setMode({ kind: 'pass' })
      outcome = await load.stop()
    }
    const { requests, failures } = outcome
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests for a known merchant failed`)
  })

  it('control plane SIGKILLed mid-load: known merchants keep working, unknown ones get 503 TG_CONFIG_UNAVAILABLE, and after a restart a change committed but never relayed arrives', async () => {
    const load = new KnownMerchantLoad(cluster)
    const redis = new Redis({ host: REDIS.host, port: REDIS.port })
    let outcome: { requests: number, failures: string[] }
    try {
      // Cut the relay off Redis first, so the next change is committed in MySQL and never relayed.
      await cutOff(cluster.cpRedisProxy)
      const pending = changes.next('key')
      await pending.apply()
      const written = Number((await cluster.cp.admin('GET', '/merchants/m1')).headers.get('etag')?.replaceAll('"', ''))
      await cluster.cp.kill('SIGKILL')
      await cluster.cpRedisProxy.setMode({ kind: 'pass' })
      assert.ok(Number(await redis.get(`${cluster.cp.keyPrefix}cfg:version`)) < written, 'the change must not have reached Redis before the crash')

      // Long enough for every L1 entry to expire: known merchants then come from Redis (L2).
      await new Promise((resolve) => setTimeout(resolve, L1_TTL_MS * (1 + L1_JITTER) + POLL_MS))
      for (const node of cluster.nodes) {
        const refused = await cluster.call(node.port, '/api/x', `key-unseen-${node.id}-0001`)
        assert.equal(refused.status, 503)
        assert.equal(refused.headers['retry-after'], '1')
        const body = JSON.parse(refused.body.toString('utf8')) as { error: { code: string, request_id: string } }
        assert.equal(body.error.code, 'TG_CONFIG_UNAVAILABLE')
        assert.ok(body.error.request_id.length > 0)
      }

      await cluster.cp.start()
      const restarted = performance.now()
      const times = await waitServed(cluster.nodes, pending, restarted, POLL_BOUND_MS)
      console.log(`the change committed before the crash: served on every node ${Math.round(Math.max(...times))} ms after the control plane was back`)
      await measurePropagation(cluster.nodes, changes.next(), POLL_BOUND_MS)
    } finally {
      await cluster.cpRedisProxy.setMode({ kind: 'pass' })
      redis.disconnect()
      outcome = await load.stop()
    }
    const { requests, failures } = outcome
    assert.deepEqual(failures, [], `${failures.length} of ${requests} requests for a known merchant failed`)
  })
})
