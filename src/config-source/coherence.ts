import type { Logger } from '../kit/logger.js'
import type { RedisClient } from '../kit/redis.js'
import { parseInvalidation, ROUTE_TABLE_KINDS } from './entity.js'
import { compareStreamIds, type L2Redis } from './l2-redis.js'
import type { LayeredCache } from './layered-cache.js'
import type { ConfigSourceStats } from './stats.js'

/** Stream entries read per XRANGE while catching up. */
const REPLAY_BATCH = 1000

/** What coherence asks of the source when the route table may have changed. */
export type RouteTableReload = (version: number | 'resync') => void

/**
 * Keeps one worker's L1 coherent (DESIGN.md §5): evicts on each `cfg:invalidate` message, and on
 * every poll reads `cfg:version`, replays `cfg:changes` from the last stream id when behind, and
 * flushes L1 (entries kept as stale fallbacks) when the stream was trimmed past that id, `cfg:epoch`
 * changed or vanished (Redis flushed or replaced) or the subscriber was down. The applied version
 * only advances through the stream, so it never claims a change that was not delivered.
 */
export class Coherence {
  private lastStreamId: string | undefined
  private epoch: string | undefined
  private subscriberWasDown = false
  private polling = false

  constructor (private readonly l2: L2Redis, private readonly subscriber: RedisClient, private readonly cache: LayeredCache,
    private readonly stats: ConfigSourceStats, private readonly log: Logger, private readonly reload: RouteTableReload) {
    subscriber.on('message', (channel: string, message: string) => { if (channel === l2.keys.channel) this.onMessage(message) })
    subscriber.on('ready', () => { this.subscribe() })
    subscriber.on('close', () => { this.subscriberLost('connection closed') })
  }

  /**
   * Reads where the stream and the version stand, before the route table is loaded, so every
   * change after that point is replayed. Redis being down is fine: the first poll that reaches it
   * resynchronises fully.
   */
  async init (): Promise<void> {
    try {
      const { version, epoch } = await this.l2.versionAndEpoch()
      this.lastStreamId = await this.l2.lastStreamId()
      this.epoch = epoch
      this.stats.appliedVersion = version ?? 0
      this.stats.latestVersion = version ?? 0
    } catch {
      this.lastStreamId = undefined
    }
  }

  /** One invalidation message: evict now; a route-table kind asks for a reload. */
  onMessage (message: string): void {
    const change = parseInvalidation(message)
    if (change === undefined) {
      this.log.warn({ message }, 'config cache: unreadable invalidation message ignored')
      return
    }
    this.stats.messages++
    if (change.version > this.stats.latestVersion) this.stats.latestVersion = change.version
    this.cache.evict(change.kind, change.key, change.version)
    if (ROUTE_TABLE_KINDS.has(change.kind)) this.reload(change.version)
  }

  /** One run of the version poll; never throws (a failed Redis call waits for the next poll). */
  async poll (nowMs = Date.now()): Promise<void> {
    if (this.polling) return
    this.polling = true
    try {
      await this.checkSubscriber()
      const { version, epoch } = await this.l2.versionAndEpoch()
      const replaced = this.epoch !== undefined && epoch !== this.epoch
      // Flushed once the subscriber is back (while it is down the replay alone keeps L1 coherent).
      const subscriberBack = this.subscriberWasDown && !this.stats.subscriberDown
      if (this.lastStreamId === undefined || replaced || subscriberBack) {
        const reason = this.lastStreamId === undefined ? 'no stream position yet' : replaced ? 'cfg:epoch changed or vanished (Redis flushed or replaced)' : 'the subscriber was down'
        await this.resync(version, epoch, reason)
      } else {
        this.epoch ??= epoch
        if (version !== undefined && version > this.stats.latestVersion) this.stats.latestVersion = version
        if (version !== undefined && version > this.stats.appliedVersion) await this.replay(version, epoch)
      }
    } catch {
      // L2Redis logged the outage; L1 keeps serving within its TTL.
    } finally {
      this.polling = false
      this.trackLag(nowMs)
    }
  }

  private async replay (version: number, epoch: string | undefined): Promise<void> {
    const from = this.lastStreamId ?? '0-0'
    const first = await this.l2.firstStreamId()
    if (first !== undefined && from !== '0-0' && compareStreamIds(first, from) > 0) {
      await this.resync(version, epoch, 'cfg:changes was trimmed past our position')
      return
    }
    let routeTableVersion = 0
    let after = from
    for (;;) {
      const changes = await this.l2.changesAfter(after, REPLAY_BATCH)
      for (const change of changes) {
        this.cache.evict(change.kind, change.key, change.version)
        if (ROUTE_TABLE_KINDS.has(change.kind)) routeTableVersion = Math.max(routeTableVersion, change.version)
        if (change.version > this.stats.appliedVersion) this.stats.appliedVersion = change.version
        after = change.id
      }
      this.lastStreamId = after
      if (changes.length < REPLAY_BATCH) break
    }
    if (routeTableVersion > 0) this.reload(routeTableVersion)
  }

  private async resync (version: number | undefined, epoch: string | undefined, reason: string): Promise<void> {
    this.log.warn({ reason }, 'config cache: full resync (L1 flushed, kept as stale fallback; route table reloaded)')
    const lastId = await this.l2.lastStreamId()
    this.cache.flush()
    this.lastStreamId = lastId
    this.epoch = epoch
    this.subscriberWasDown = false
    this.stats.appliedVersion = version ?? 0
    this.stats.latestVersion = version ?? 0
    this.reload('resync')
  }

  /** A subscriber can sit on a dead socket unnoticed: a PING per poll tells. */
  private async checkSubscriber (): Promise<void> {
    if (this.stats.subscriberDown) return
    try {
      await this.subscriber.ping()
    } catch (error) {
      this.subscriberLost((error as Error).message)
    }
  }

  private subscribe (): void {
    this.subscriber.subscribe(this.l2.keys.channel).then(() => {
      if (this.stats.subscriberDown) this.log.info({ channel: this.l2.keys.channel }, 'config cache: subscribed to invalidations')
      this.stats.subscriberDown = false
    }, (error: unknown) => { this.subscriberLost((error as Error).message) })
  }

  private subscriberLost (reason: string): void {
    if (this.stats.subscriberDown) return
    this.stats.subscriberDown = true
    this.subscriberWasDown = true
    this.log.warn({ reason }, 'config cache: invalidation subscriber down; the version poll keeps L1 coherent, L1 is flushed once it is back')
  }

  private trackLag (nowMs: number): void {
    if (this.stats.behindVersions === 0) this.stats.behindSinceMs = 0
    else if (this.stats.behindSinceMs === 0) this.stats.behindSinceMs = nowMs
  }
}
