/**
 * The relay: tails the MySQL outbox in id order and writes Redis (docs/control-plane.md). Where
 * it has got to lives in Redis (`cfg:relay:last_outbox_id`), written after the batch it ends, so
 * a relay killed between a MySQL commit and its Redis writes replays that batch on restart and
 * nothing is lost; every write being idempotent, the replay changes nothing that was done.
 */
import type { Pool } from 'mysql2/promise'
import type { Logger } from '../../kit/logger.js'
import { ROUTE_TABLE_KINDS } from '../store/kinds.js'
import { outboxAfter, type Change } from '../store/changes.js'
import { readRow } from '../store/rows.js'
import { readSnapshot } from '../store/snapshot.js'
import { fullSync } from './full-sync.js'
import type { RedisConfigWriter } from './redis-writer.js'

export interface RelayOptions {
  /** Outbox poll interval when nothing woke the relay, ms. */
  readonly pollMs: number
  /** Outbox rows per round. */
  readonly batchSize: number
  readonly log: Logger
}

/** Longest pause between attempts while MySQL or Redis fails. */
const MAX_BACKOFF_MS = 5_000

export class Relay {
  private running = false
  private loop: Promise<void> | undefined
  private wakeUp: (() => void) | undefined
  private failing = false
  /** A wake that came during a round: the next round starts at once. */
  private woken = false

  constructor (private readonly pool: Pool, private readonly writer: RedisConfigWriter, private readonly options: RelayOptions) {}

  start (): void {
    if (this.running) return
    this.running = true
    this.loop = this.run()
  }

  /** Ends the loop after the round in progress. */
  async stop (): Promise<void> {
    this.running = false
    this.wakeUp?.()
    await this.loop
  }

  /** Starts a round now instead of at the next poll (called after a local commit). */
  wake (): void {
    this.woken = true
    this.wakeUp?.()
  }

  /**
   * One round: a full sync first when Redis has no epoch, then the next batch of outbox rows.
   * Resolves with the number of rows relayed.
   */
  async round (): Promise<number> {
    if (await this.writer.epoch() === null) {
      const synced = await fullSync(this.pool, this.writer)
      this.options.log.warn({ entities: synced.entities, epoch: synced.epoch }, 'relay: Redis had no epoch (new, flushed or replaced); wrote every entity and a new epoch')
    }
    const changes = await outboxAfter(this.pool, await this.writer.lastOutboxId(), this.options.batchSize)
    if (changes.length === 0) return 0
    await this.relay(changes)
    return changes.length
  }

  private async relay (changes: Change[]): Promise<void> {
    // The entity as it is now (possibly newer than the row): its version decides in Redis.
    const keys = new Map(changes.map((c) => [`${c.kind}\0${c.key}`, c]))
    await Promise.all([...keys.values()].map(async (c) => {
      const entity = await readRow(this.pool, c.kind, c.key)
      await this.writer.writeEntity(entity ?? { kind: c.kind, key: c.key, version: c.version, deleted: true, position: 0, body: null })
    }))
    for (const change of changes) await this.writer.appendChange(change)
    if (changes.some((c) => ROUTE_TABLE_KINDS.has(c.kind))) await this.writer.writeSnapshot(await readSnapshot(this.pool))
    await this.writer.raiseVersion(Math.max(...changes.map((c) => c.version)))
    await Promise.all(changes.map((c) => this.writer.publish(c)))
    await this.writer.saveLastOutboxId(changes.at(-1)?.id ?? 0)
  }

  private async run (): Promise<void> {
    let backoffMs = this.options.pollMs
    while (this.running) {
      let relayed = 0
      try {
        relayed = await this.round()
        if (this.failing) this.options.log.warn({}, 'relay: writing Redis again')
        this.failing = false
        backoffMs = this.options.pollMs
      } catch (error) {
        if (!this.failing) this.options.log.warn({ err: error }, 'relay: round failed (MySQL or Redis unreachable); retrying from the last relayed outbox row')
        this.failing = true
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS)
      }
      const woken = this.woken && !this.failing
      this.woken = false
      if (relayed === this.options.batchSize || woken || !this.running) continue
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.failing ? backoffMs : this.options.pollMs)
        this.wakeUp = () => { clearTimeout(timer); resolve() }
      })
      this.wakeUp = undefined
    }
  }
}
