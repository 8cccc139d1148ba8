// Config changes made through the admin API and the time until each gateway node serves them, for
// the end-to-end suite and bench/control-plane-propagation.mjs. Time is measured from just before
// the admin write until the node's first answer that shows the new behaviour.
import { performance } from 'node:perf_hooks'
import { stableKey, type ClusterNode, type ControlPlaneCluster } from './control-plane-cluster.js'

/** One change and how to tell a node serves it. */
export interface ConfigChange {
  readonly label: string
  apply (): Promise<void>
  /** True once the node on `port` serves the changed behaviour. */
  served (port: number): Promise<boolean>
}

export type ChangeKind = 'plugin' | 'key' | 'route'
const KINDS: readonly ChangeKind[] = ['plugin', 'key', 'route']

/**
 * The changes of the issue, each distinct from all before it: a plugin reconfigured for one
 * merchant (m0's response header), a merchant key rotated (m1's new key works, the old one is
 * refused), a route added. `next()` cycles through them; `next(kind)` picks one.
 */
export class ChangeSequence {
  private count = 0
  private m1Key = stableKey(1)

  constructor (private readonly cluster: ControlPlaneCluster) {}

  next (kind: ChangeKind = KINDS[this.count % KINDS.length] as ChangeKind): ConfigChange {
    const n = ++this.count
    const cluster = this.cluster
    if (kind === 'plugin') {
      const value = `c${n}`
      return {
        label: `response-transformer for m0 sets x-change: ${value}`,
        apply: () => cluster.write('PUT', '/plugins/mark-m0', { name: 'response-transformer', route: 'api', merchant: 'm0', config: { headers: { set: [{ name: 'x-change', value }] } } }),
        served: async (port) => (await cluster.call(port, '/api/x', stableKey(0))).headers['x-change'] === value
      }
    }
    if (kind === 'key') {
      const oldKey = this.m1Key
      const newKey = `key-m1-rotated-${String(n).padStart(6, '0')}`
      this.m1Key = newKey
      return {
        label: `m1's key rotated to ${newKey}`,
        apply: () => cluster.write('PUT', '/merchants/m1', { credentials: { api_keys: [{ key: newKey }] } }),
        served: async (port) => (await cluster.call(port, '/api/x', newKey)).status === 200 && (await cluster.call(port, '/api/x', oldKey)).status === 401
      }
    }
    return {
      label: `route r${n} added`,
      apply: () => cluster.write('PUT', `/routes/r${n}`, { service: 'svc', paths: [`/r${n}/*`] }),
      served: async (port) => (await cluster.call(port, `/r${n}/x`)).status === 200
    }
  }
}

/**
 * Applies `change` and polls every node (concurrently) until it serves it. Resolves with the
 * milliseconds per node, in `nodes` order; rejects naming the node when one is not there within
 * `boundMs`.
 */
export async function measurePropagation (nodes: readonly ClusterNode[], change: ConfigChange, boundMs: number): Promise<number[]> {
  const started = performance.now()
  await change.apply()
  return await waitServed(nodes, change, started, boundMs)
}

/** Polls every node until it serves `change`; milliseconds since `startedMs` (performance.now()) per node. */
export async function waitServed (nodes: readonly ClusterNode[], change: ConfigChange, startedMs: number, boundMs: number): Promise<number[]> {
  return await Promise.all(nodes.map(async (node) => {
    for (;;) {
      if (await change.served(node.port)) return performance.now() - startedMs
      const waited = performance.now() - startedMs
      if (waited > boundMs) throw new Error(`${node.id} did not serve "${change.label}" within ${boundMs} ms (waited ${Math.round(waited)} ms)`)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  }))
}

/** The p-th percentile (0 < p ≤ 1) of ascending `sorted`, nearest rank. */
export function percentile (sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0
}

/** "p50 … ms, p99 … ms, max … ms over n" for a list of times. */
export function summarize (times: readonly number[]): string {
  const sorted = [...times].sort((a, b) => a - b)
  const ms = (value: number): string => `${value.toFixed(1)} ms`
  return `p50 ${ms(percentile(sorted, 0.5))}, p99 ${ms(percentile(sorted, 0.99))}, max ${ms(sorted.at(-1) ?? 0)} over ${sorted.length}`
}

/**
 * Requests for a merchant every node already knows (m2, never changed), round robin over the nodes
 * until `stop()`: what a fault test counts as "no failed request". A transport error is a failure.
 */
export class KnownMerchantLoad {
  requests = 0
  readonly failures: string[] = []
  private running = true
  private readonly loop: Promise<void>

  constructor (private readonly cluster: ControlPlaneCluster) {
    this.loop = this.run()
  }

  async stop (): Promise<{ requests: number, failures: string[] }> {
    this.running = false
    await this.loop
    return { requests: this.requests, failures: this.failures }
  }

  private async run (): Promise<void> {
    while (this.running) {
      await Promise.all(this.cluster.nodes.map(async (node) => {
        this.requests++
        try {
          const reply = await this.cluster.call(node.port, '/api/x', stableKey(2))
          if (reply.status !== 200) this.failures.push(`${node.id}: ${reply.status} ${reply.body.toString('utf8').slice(0, 200)}`)
        } catch (error) {
          this.failures.push(`${node.id}: ${(error as Error).message}`)
        }
      }))
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
  }
}
