import { hostname } from 'node:os'
import type { Logger } from '../../../kit/logger.js'
import type { RedisHandle } from '../../../kit/redis.js'
import { watchFirstReady } from '../../_shared/redis-first-ready.js'
import { leaseCommands, type LeaseCommands } from './lease-script.js'

/** How often a worker says it is alive. */
export const HEARTBEAT_MS = 1000
/** A worker not heard of for this long is not counted (four missed beats: a GC pause is not death). */
export const HEARTBEAT_STALE_MS = 4000
/** After a failed Redis call, requests use the fallback without trying Redis for this long. */
export const RETRY_AFTER_FAILURE_MS = 1000

/** Counters of the cluster policy in this worker; read by tests and exported as metrics. */
export const clusterPolicyStats = {
  /** Lease script calls sent, and those that failed (error or timeout). */
  leaseCalls: 0,
  leaseFailures: 0,
  /** Tokens leased from Redis, and unspent ones given back (drain, retired binding). */
  tokensLeased: 0,
  tokensReturned: 0,
  /** Requests refused by Redis (nothing left), and refused locally while their key was blocked. */
  refusedByRedis: 0,
  refusedWhileBlocked: 0,
  /** Requests counted by the per-node fallback while Redis was unreachable: admitted, refused. */
  fallbackAdmitted: 0,
  fallbackRefused: 0,
  /** Outages seen (each logged once at warn), and whether one is going on. */
  outages: 0,
  degraded: false,
  /** Live workers and nodes as of the last heartbeat, and workers of this node among them. */
  liveWorkers: 1,
  liveNodes: 1,
  nodeWorkers: 1
}

/**
 * What the cluster policies of one worker share per Redis connection: the lease commands, the
 * heartbeat that counts live workers and nodes, and the outage state (so an outage is logged once
 * per worker, not once per binding).
 *
 * Liveness is a sorted set `{prefix}rl:live` of `node/pid` members scored by their last beat
 * (epoch ms). Each beat is one pipeline: ZADD self, drop members older than the stale time,
 * PEXPIRE the set, ZRANGE the members. The node is the host name and the primary's pid, so
 * several gateways on one host count as several nodes.
 */
export class ClusterLink {
  readonly commands: LeaseCommands
  readonly liveKey: string
  readonly member: string
  readonly nodeId: string
  private refs = 0
  private timer: NodeJS.Timeout | undefined
  private skipUntilMs = 0

  constructor (readonly redis: RedisHandle, private readonly log: Logger, private readonly now: () => number = Date.now) {
    this.commands = leaseCommands(redis.client)
    watchFirstReady(redis)
    this.liveKey = `${redis.keyPrefix}rl:live`
    this.nodeId = `${hostname()}:${process.ppid}`
    this.member = `${this.nodeId}/${process.pid}`
  }

  /** True when a lease may be tried now: connected, and no failure in the last second. */
  usable (nowMs: number): boolean {
    return nowMs >= this.skipUntilMs && this.redis.ready()
  }

  /** Records a failed call: the first of an outage is logged at warn and counted. */
  failed (error: unknown, nowMs: number): void {
    clusterPolicyStats.leaseFailures++
    this.skipUntilMs = nowMs + RETRY_AFTER_FAILURE_MS
    this.enterOutage(error)
  }

  /** Records that Redis answered: ends an outage, saying so once. */
  answered (): void {
    if (!clusterPolicyStats.degraded) return
    clusterPolicyStats.degraded = false
    this.log.warn({ live_workers: clusterPolicyStats.liveWorkers, live_nodes: clusterPolicyStats.liveNodes }, 'rate-limit cluster policy: Redis reachable again; leasing tokens from it')
  }

  /** Marks an outage found without a call (the connection is down). */
  enterOutage (error?: unknown): void {
    if (clusterPolicyStats.degraded) return
    clusterPolicyStats.degraded = true
    clusterPolicyStats.outages++
    this.log.warn({
      err: error,
      live_nodes: clusterPolicyStats.liveNodes,
      node_workers: clusterPolicyStats.nodeWorkers
    }, 'rate-limit cluster policy: Redis unreachable; each node enforces limit / live nodes locally until it is back')
  }

  /** Starts the heartbeat with the first holder. */
  acquire (): void {
    if (this.refs++ > 0) return
    // The connection is usually still opening when the first binding compiles: beat once it is up.
    if (this.redis.ready()) void this.beat()
    else this.redis.client.once('ready', () => { void this.beat() })
    this.timer = setInterval(() => { void this.beat() }, HEARTBEAT_MS)
    this.timer.unref()
  }

  /** Stops the heartbeat and leaves the live set when the last holder is gone. */
  release (): void {
    if (--this.refs > 0) return
    this.refs = 0
    links.delete(this.redis)
    void this.stop()
  }

  /** Leaves the live set now (drain), so the others' leases grow at once. */
  stop (): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    if (!this.redis.ready()) return Promise.resolve()
    return this.redis.client.zrem(this.liveKey, this.member).then(() => {}, () => {})
  }

  /** One heartbeat; a failure keeps the last known counts (they size the fallback). */
  async beat (): Promise<void> {
    if (!this.redis.ready()) return
    const nowMs = this.now()
    try {
      const replies = await this.redis.client.multi()
        .zadd(this.liveKey, String(nowMs), this.member)
        .zremrangebyscore(this.liveKey, '-inf', nowMs - HEARTBEAT_STALE_MS)
        .pexpire(this.liveKey, HEARTBEAT_STALE_MS * 2)
        .zrange(this.liveKey, '0', '-1')
        .exec()
      const members = replies?.[3]?.[1]
      if (Array.isArray(members)) this.count(members as string[])
    } catch {
      // The lease path reports outages; a missed beat only leaves the counts as they were.
    }
  }

  private count (members: string[]): void {
    const nodes = new Set<string>()
    let nodeWorkers = 0
    for (const member of members) {
      const node = member.slice(0, member.lastIndexOf('/'))
      nodes.add(node)
      if (node === this.nodeId) nodeWorkers++
    }
    clusterPolicyStats.liveWorkers = Math.max(1, members.length)
    clusterPolicyStats.liveNodes = Math.max(1, nodes.size)
    clusterPolicyStats.nodeWorkers = Math.max(1, nodeWorkers)
  }
}

const links = new Map<RedisHandle, ClusterLink>()

/** The link of a Redis handle in this worker (one per connection). */
export function clusterLinkFor (redis: RedisHandle, log: Logger): ClusterLink {
  let link = links.get(redis)
  if (link === undefined) {
    link = new ClusterLink(redis, log)
    links.set(redis, link)
  }
  return link
}
