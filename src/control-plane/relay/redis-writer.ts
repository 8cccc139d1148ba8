/** The relay's Redis writes, each idempotent (see scripts.ts). */
import { randomUUID } from 'node:crypto'
import type { RedisClient } from '../../kit/redis.js'
import type { StoredEntity } from '../store/rows.js'
import type { Change } from '../store/changes.js'
import type { RouteTableSnapshot } from '../store/snapshot.js'
import { RedisLayout } from './redis-layout.js'
import { SET_IF_NEWER, SET_MAX } from './scripts.js'

type ScriptClient = RedisClient & {
  tgSetIfNewer: (key: string, version: number, value: string) => Promise<number>
  tgSetMax: (key: string, value: number) => Promise<number>
}

/** `{"version":N,"deleted":false,"body":…}` with the stored body bytes as they are; a tombstone has no body. */
export function entityValue (entity: StoredEntity): string {
  return entity.deleted || entity.body === null
    ? `{"version":${entity.version},"deleted":true}`
    : `{"version":${entity.version},"deleted":false,"body":${entity.body}}`
}

export class RedisConfigWriter {
  readonly layout: RedisLayout
  private readonly client: ScriptClient

  constructor (client: RedisClient, keyPrefix: string, private readonly streamMaxLength: number) {
    this.layout = new RedisLayout(keyPrefix)
    client.defineCommand('tgSetIfNewer', { numberOfKeys: 1, lua: SET_IF_NEWER })
    client.defineCommand('tgSetMax', { numberOfKeys: 1, lua: SET_MAX })
    this.client = client as ScriptClient
  }

  async writeEntity (entity: StoredEntity): Promise<boolean> {
    return await this.client.tgSetIfNewer(this.layout.entity(entity.kind, entity.key), entity.version, entityValue(entity)) === 1
  }

  async writeSnapshot (snapshot: RouteTableSnapshot): Promise<boolean> {
    const value = `{"version":${snapshot.version},"document":${JSON.stringify(snapshot.document)}}`
    return await this.client.tgSetIfNewer(this.layout.snapshot, snapshot.version, value) === 1
  }

  async raiseVersion (version: number): Promise<void> {
    await this.client.tgSetMax(this.layout.version, version)
  }

  /**
   * Appends a change with the entry id `<outbox id>-0`: Redis refuses an id not above the
   * stream's last one, which makes a replayed append a no-op. Returns false for such a replay.
   */
  async appendChange (change: Change): Promise<boolean> {
    try {
      await this.client.xadd(this.layout.changes, 'MAXLEN', '~', this.streamMaxLength, `${change.id}-0`,
        'version', String(change.version), 'kind', change.kind, 'key', change.key, 'op', change.op)
      return true
    } catch (error) {
      if (/equal or smaller/i.test((error as Error).message)) return false
      throw error
    }
  }

  async publish (change: Change): Promise<void> {
    await this.client.publish(this.layout.invalidateChannel, `${change.kind}:${change.key}:${change.version}`)
  }

  async lastOutboxId (): Promise<number> {
    return Number(await this.client.get(this.layout.lastOutboxId) ?? 0)
  }

  async saveLastOutboxId (id: number): Promise<void> {
    await this.client.tgSetMax(this.layout.lastOutboxId, id)
  }

  async epoch (): Promise<string | null> {
    return await this.client.get(this.layout.epoch)
  }

  /** Sets a new epoch unless one exists; returns the epoch in force. */
  async createEpoch (): Promise<string> {
    await this.client.set(this.layout.epoch, randomUUID(), 'NX')
    return await this.client.get(this.layout.epoch) ?? ''
  }
}
