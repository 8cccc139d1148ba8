// A whole cluster for end-to-end tests and the propagation bench: one real control plane (its own
// database and Redis key prefix) and N gateway nodes (`tollgate start`, primary + workers) on its
// config source, one echo upstream, and fault proxies in front of Redis — one for the control
// plane, one shared by every node, and one more per node chained onto the shared one — so a test
// can cut the relay, every node, or one node off Redis without touching the real server.
import { Agent } from 'node:http'
import { Redis } from 'ioredis'
import { ControlPlaneProcess } from './control-plane-process.js'
import { FaultProxy } from './fault-proxy.js'
import { freePort } from './free-port.js'
import { GatewayProcess } from './gateway-process.js'
import { request, type TestResponse } from './http-client.js'
import { REDIS } from './services.js'
import { statusRequest } from './status-client.js'
import { UpstreamServer } from './upstream-server.js'

export interface ClusterOptions {
  readonly nodes: number
  /** Workers per node; default 1. */
  readonly workers?: number
  /** `config_source.l1.ttl_ms` of every node (the staleness cap while Redis is unreachable). */
  readonly l1TtlMs: number
  /** `config_source.poll_interval_ms`. */
  readonly pollMs: number
  /** How long one node may take to start; generous by default (a busy 2-core machine). */
  readonly startTimeoutMs?: number
}

export interface ClusterNode {
  readonly id: string
  readonly gateway: GatewayProcess
  /** The public listener. */
  readonly port: number
  readonly statusPort: number
  /** This node's own Redis proxy (in front of the shared one). */
  readonly redisProxy: FaultProxy
}

/** The TTL jitter of the nodes (the schema's default). */
export const L1_JITTER = 0.1

export class ControlPlaneCluster {
  readonly nodes: ClusterNode[] = []
  /** Keep-alive connections for the many small requests tests and the bench make. */
  readonly agent = new Agent({ keepAlive: true, maxSockets: 64 })
  private upstreamPort = 0

  private constructor (readonly options: ClusterOptions, readonly cp: ControlPlaneProcess, readonly upstream: UpstreamServer,
    /** Between the control plane (its relay) and Redis. */
    readonly cpRedisProxy: FaultProxy,
    /** Between every node and Redis. */
    readonly redisProxy: FaultProxy) {}

  /** Starts the control plane, seeds `api` (key-auth) with merchants m0…m2, then starts the nodes. */
  static async start (options: ClusterOptions): Promise<ControlPlaneCluster> {
    const upstream = new UpstreamServer()
    const cpRedisProxy = await FaultProxy.start(REDIS)
    const redisProxy = await FaultProxy.start(REDIS)
    const cp = await ControlPlaneProcess.create({ redis: cpRedisProxy, adminPort: await freePort(), rpcPort: await freePort() })
    const cluster = new ControlPlaneCluster(options, cp, upstream, cpRedisProxy, redisProxy)
    try {
      cluster.upstreamPort = await upstream.listen()
      await cp.start()
      await cluster.seed()
      for (let i = 0; i < options.nodes; i++) await cluster.startNode(`node-${i}`)
    } catch (error) {
      // Nothing may outlive a failed start: the caller gets no cluster to stop.
      await cluster.stop().catch(() => {})
      throw error
    }
    return cluster
  }

  /** A JSON admin write that must succeed (2xx); answers the body. */
  async write (method: string, path: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const reply = await this.cp.admin(method, path, body)
    if (reply.status < 200 || reply.status > 299) throw new Error(`${method} ${path} answered ${reply.status}: ${JSON.stringify(reply.body)}`)
    return reply.body
  }

  /** GET on a node's public listener with an optional API key; resolves with status and headers. */
  async call (port: number, path: string, apiKey?: string): Promise<TestResponse> {
    return await request(port, { path, headers: apiKey === undefined ? {} : { apikey: apiKey }, agent: this.agent })
  }

  /** The degraded modes a node's /status lists right now. */
  async degraded (node: ClusterNode): Promise<string[]> {
    const reply = await statusRequest(node.statusPort, '/status')
    return (reply.json() as { degraded: string[] }).degraded
  }

  /** Stops everything this cluster started (nodes, control plane, proxies, upstream) and deletes its Redis keys. */
  async stop (): Promise<void> {
    for (const node of this.nodes) await node.gateway.stop()
    await this.cp.cleanup()
    for (const proxy of [...this.nodes.map((n) => n.redisProxy), this.redisProxy, this.cpRedisProxy]) await proxy.close()
    await this.upstream.close()
    this.agent.destroy()
    const redis = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true })
    try {
      await redis.connect()
      const keys = await redis.keys(`${this.cp.keyPrefix}*`)
      if (keys.length > 0) await redis.del(...keys)
    } finally {
      redis.disconnect()
    }
  }

  private async seed (): Promise<void> {
    await this.write('PUT', '/services/svc', { targets: [{ host: '127.0.0.1', port: this.upstreamPort }] })
    await this.write('PUT', '/routes/api', { service: 'svc', paths: ['/api/*'] })
    await this.write('PUT', '/plugins/auth', { name: 'key-auth', route: 'api' })
    for (let i = 0; i < 3; i++) await this.write('PUT', `/merchants/m${i}`, { credentials: { api_keys: [{ key: stableKey(i) }] } })
  }

  private async startNode (id: string): Promise<void> {
    const { l1TtlMs, pollMs } = this.options
    const redisProxy = await FaultProxy.start({ host: this.redisProxy.host, port: this.redisProxy.port })
    const port = await freePort()
    const statusPort = await freePort()
    const gateway = new GatewayProcess({
      gateway: {
        listeners: [{ name: 'http', host: '127.0.0.1', port }],
        redis: { host: redisProxy.host, port: redisProxy.port, key_prefix: this.cp.keyPrefix, command_timeout_ms: 500, max_reconnect_delay_ms: 200 },
        status: { host: '127.0.0.1', port: statusPort },
        log: { level: 'info' }
      },
      config_source: {
        kind: 'control-plane',
        node_id: id,
        rpc: { host: '127.0.0.1', port: this.cp.rpcPort, deadline_ms: 2000, snapshot_deadline_ms: 5000 },
        l1: { ttl_ms: l1TtlMs, jitter: L1_JITTER, negative_ttl_ms: 1000, resurrect_ms: 120_000 },
        poll_interval_ms: pollMs
      }
    })
    this.nodes.push({ id, gateway, port, statusPort, redisProxy })
    await gateway.start(this.options.workers ?? 1, this.options.startTimeoutMs ?? 60_000)
  }
}

/** The key of merchant m<i> as seeded (m2's never changes: the load of the fault tests uses it). */
export function stableKey (i: number): string {
  return `key-m${i}-stable-0001`
}
