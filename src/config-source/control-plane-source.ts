import { hostname } from 'node:os'
import { performance } from 'node:perf_hooks'
import type { TSchema } from '@sinclair/typebox'
import type { GatewayConfig } from '../config/gateway-config.js'
import { formatProblems } from '../config/problems.js'
import type { RedisSettings } from '../config/schema/redis.js'
import type { Logger } from '../kit/logger.js'
import type { MerchantDirectory } from '../kit/merchant.js'
import type { RedisClient } from '../kit/redis.js'
import { connectRedis, waitReady } from '../redis/connect.js'
import { CachedMerchantDirectory } from './cached-merchant-directory.js'
import { Coherence } from './coherence.js'
import { compileEntity } from './compile-entity.js'
import { EntityLevels } from './entity-levels.js'
import { HEARTBEAT_PERIOD_MS, writeHeartbeat } from './heartbeat.js'
import { L2Redis, type RouteTableDocument } from './l2-redis.js'
import { L3Rpc } from './l3-rpc.js'
import { LayeredCache } from './layered-cache.js'
import { LevelHealth } from './level-health.js'
import { RedisKeys } from './redis-keys.js'
import { routeTableConfig } from './route-table.js'
import { readSnapshotFile, writeSnapshotFile } from './snapshot-file.js'
import { ConfigSourceStats } from './stats.js'
import { publishConfigSourceMetrics } from './metrics.js'

export interface ControlPlaneSourceOptions {
  /** The node's validated bootstrap config (`config_source.kind` control-plane). */
  readonly bootstrap: GatewayConfig
  readonly log: Logger
  /** Plugin config schemas, to validate the route table's bindings. */
  readonly pluginSchema: (name: string) => TSchema | undefined
  /** Compiles and swaps in a route table with this directory; throws when the worker refuses it. */
  readonly install: (config: GatewayConfig, version: number, merchants: MerchantDirectory) => Promise<void>
  /** This worker writes the node heartbeat and the last-good snapshot file. */
  readonly leader: boolean
  /** Folder relative paths of the route table resolve against; default the working directory. */
  readonly baseDir?: string
  /** Worker label of the metrics; undefined: the stats are not published as metrics. */
  readonly metricsSlot?: string
}

/**
 * The control-plane config source of one worker (DESIGN.md §1, §5): the route table as an
 * atomically swapped snapshot, merchants and credentials lazily through L1 → L2 → L3, kept
 * coherent by the invalidation subscriber and the version poll. Every degraded mode is logged at
 * warn and visible in `stats`.
 */
export class ControlPlaneSource {
  readonly stats = new ConfigSourceStats()
  readonly cache: LayeredCache
  readonly merchants: CachedMerchantDirectory
  leader: boolean
  private readonly reader: RedisClient
  private readonly subscriber: RedisClient
  private readonly l2: L2Redis
  private readonly l3: L3Rpc
  private readonly coherence: Coherence
  private readonly nodeId: string
  private readonly timers: NodeJS.Timeout[] = []
  private reloading: Promise<void> | undefined
  private reloadAgain = false
  private forceReload = false
  /** Newest route-table version an invalidation told us about. */
  private wantedRouteTable = 0
  private stopped = false
  /** The start already said it found no route table (said once, not every retry). */
  private missedAtStart = false
  /** When (performance.now()) the route table was last installed or checked against the config service. */
  private routeTableCheckedMs = 0

  constructor (private readonly options: ControlPlaneSourceOptions) {
    const source = options.bootstrap.config_source
    const redis = options.bootstrap.gateway.redis
    if (source.kind !== 'control-plane' || source.rpc === undefined || redis === undefined) {
      throw new Error('ControlPlaneSource: the bootstrap needs config_source.kind control-plane, config_source.rpc and gateway.redis')
    }
    const { log } = options
    const stats = this.stats
    this.leader = options.leader
    this.nodeId = source.node_id ?? hostname()
    const keys = new RedisKeys(redis.key_prefix)
    this.reader = connectRedis(redis, log, 'config-cache')
    // ioredis's own resubscribe after a reconnect leaves its promise unhandled when the connection
    // drops again; Coherence subscribes on every 'ready' itself and handles the failure.
    this.subscriber = connectRedis(redis, log, 'config-subscriber', { autoResubscribe: false })
    this.l2 = new L2Redis(this.reader, keys, new LevelHealth(log, 'Redis (L2)', 'loads go to the config service (L3); L1 serves within its TTL', (down) => { stats.redisDown = down }))
    this.l3 = new L3Rpc(source.rpc, new LevelHealth(log, 'config service (L3)', 'L2 and L1 carry on', (down) => { stats.rpcDown = down }), stats)
    this.cache = new LayeredCache({ l1: source.l1, loader: new EntityLevels(this.l2, this.l3, stats), compile: compileEntity, stats, log })
    this.merchants = new CachedMerchantDirectory(this.cache)
    if (options.metricsSlot !== undefined) publishConfigSourceMetrics(stats, options.metricsSlot)
    this.coherence = new Coherence(this.l2, this.subscriber, this.cache, stats, log, (version) => this.reloadRouteTable(version))
  }

  /**
   * Installs the first route table — from Redis, else the config service, else the last-good
   * file (then the node says it is degraded) — retrying each poll period until one answers, then
   * starts the poll and, on the leader, the heartbeat.
   */
  async start (): Promise<void> {
    const redis = this.options.bootstrap.gateway.redis as RedisSettings
    const source = this.options.bootstrap.config_source
    await Promise.all([waitReady(this.reader, redis.connect_timeout_ms), waitReady(this.subscriber, redis.connect_timeout_ms)])
    await this.coherence.init()
    while (!this.stopped && !(await this.installRouteTable(true))) {
      await new Promise((resolve) => setTimeout(resolve, source.poll_interval_ms))
    }
    this.timers.push(setInterval(() => { void this.poll() }, source.poll_interval_ms))
    this.timers.push(setInterval(() => { if (this.leader) void writeHeartbeat(this.reader, this.l2.keys, this.nodeId, this.stats) }, HEARTBEAT_PERIOD_MS))
    if (this.leader) void writeHeartbeat(this.reader, this.l2.keys, this.nodeId, this.stats)
  }

  /**
   * One poll; also retries a route table that an outage kept from loading. While Redis is
   * unreachable no invalidation arrives, so the route table is checked against the config service
   * once per L1 TTL: route-table changes keep the same bound as merchants (DESIGN.md §5).
   */
  async poll (nowMs = performance.now()): Promise<void> {
    await this.coherence.poll()
    if (this.wantedRouteTable > this.stats.routeTableVersion || this.forceReload) this.reloadRouteTable(this.forceReload ? 'resync' : this.wantedRouteTable)
    else if (this.stats.redisDown && nowMs - this.routeTableCheckedMs >= this.options.bootstrap.config_source.l1.ttl_ms) {
      this.routeTableCheckedMs = nowMs
      this.reloadRouteTable('newer')
    }
  }

  /**
   * Reloads the route table (coalesced: at most one load runs, one more follows if asked
   * meanwhile): a version an invalidation named, 'resync' (install whatever is newest), or
   * 'newer' (install only a table newer than the running one).
   */
  reloadRouteTable (version: number | 'resync' | 'newer'): void {
    if (version === 'resync') this.forceReload = true
    else if (version !== 'newer') {
      if (version <= this.stats.routeTableVersion) return
      this.wantedRouteTable = Math.max(this.wantedRouteTable, version)
    }
    if (this.reloading !== undefined) {
      this.reloadAgain = true
      return
    }
    this.reloading = (async () => {
      do {
        this.reloadAgain = false
        const force = this.forceReload
        this.forceReload = false
        if (!(await this.installRouteTable(false, force)) && force) this.forceReload = true
      } while (this.reloadAgain && !this.stopped)
    })().finally(() => { this.reloading = undefined })
  }

  async stop (): Promise<void> {
    this.stopped = true
    for (const timer of this.timers) clearInterval(timer)
    this.reader.disconnect()
    this.subscriber.disconnect()
    this.l3.close()
    await this.reloading
  }

  /** Fetches, validates and installs the newest route table; false when none could be installed. */
  private async installRouteTable (starting: boolean, force = false): Promise<boolean> {
    const found = await this.fetchRouteTable(starting)
    if (found === undefined) return false
    const { table, from } = found
    if (!force && !starting && table.version <= this.stats.routeTableVersion) return table.version >= this.wantedRouteTable
    const checked = routeTableConfig(this.options.bootstrap, table.document, this.options.baseDir ?? process.cwd(), this.options.pluginSchema)
    if (!checked.ok) {
      this.options.log.error({ version: table.version, problems: checked.problems }, `config cache: route table version ${table.version} refused; the running one stays:\n${formatProblems(checked.problems)}`)
      return false
    }
    try {
      await this.options.install(checked.config, table.version, this.merchants)
    } catch (error) {
      this.options.log.error({ err: error, version: table.version }, 'config cache: route table refused by the worker; the running one stays')
      return false
    }
    this.stats.routeTableVersion = table.version
    this.routeTableCheckedMs = performance.now()
    this.stats.snapshotsApplied++
    this.stats.fromSnapshotFile = from === 'snapshot file'
    if (from !== 'redis' && starting) this.options.log.warn({ from, version: table.version }, `config cache: started degraded, route table from the ${from}`)
    const file = this.options.bootstrap.config_source.snapshot_file
    if (this.leader && file !== undefined && from !== 'snapshot file') {
      writeSnapshotFile(file, table).catch((error: unknown) => this.options.log.warn({ err: error, file }, 'config cache: cannot write the last-good route table file'))
    }
    return true
  }

  private async fetchRouteTable (starting: boolean): Promise<{ table: RouteTableDocument, from: 'redis' | 'config service' | 'snapshot file' } | undefined> {
    let fromRedis: RouteTableDocument | undefined
    try {
      fromRedis = await this.l2.routeTable()
      if (fromRedis !== undefined && fromRedis.version >= this.wantedRouteTable) return { table: fromRedis, from: 'redis' }
    } catch {
      // Logged by the level's health; the config service is next.
    }
    try {
      return { table: await this.l3.routeTable(), from: 'config service' }
    } catch {
      // Logged by the level's health; an older table from Redis still beats none.
      if (fromRedis !== undefined) return { table: fromRedis, from: 'redis' }
    }
    const file = this.options.bootstrap.config_source.snapshot_file
    if (starting && file !== undefined) {
      try {
        return { table: await readSnapshotFile(file), from: 'snapshot file' }
      } catch (error) {
        this.options.log.warn({ err: error, file }, 'config cache: no usable last-good route table file')
      }
    }
    if (starting && !this.missedAtStart) this.options.log.warn({}, 'config cache: no route table reachable (Redis, config service, file); retrying every poll period')
    this.missedAtStart ||= starting
    return undefined
  }
}
