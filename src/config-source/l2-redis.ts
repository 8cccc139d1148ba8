import type { RedisClient } from '../kit/redis.js'
import { parseStoredEntity, type StoredEntity } from './entity.js'
import type { LevelHealth } from './level-health.js'
import type { RedisKeys } from './redis-keys.js'

/** One entry of the `cfg:changes` stream. */
export interface StreamChange {
  readonly id: string
  readonly version: number
  readonly kind: string
  readonly key: string
  readonly op: string
}

/** The route table as stored in `cfg:snapshot` or answered by `GetSnapshot`. */
export interface RouteTableDocument {
  readonly version: number
  readonly document: Record<string, unknown>
}

/**
 * L2: reads of the control plane's Redis (never writes). Every call fails fast (the client has no
 * offline queue and a command timeout) and reports to `health`, so a dead Redis costs a request
 * at most one command timeout and is logged once per outage.
 */
export class L2Redis {
  constructor (private readonly client: RedisClient, readonly keys: RedisKeys, private readonly health: LevelHealth) {}

  /** An entity, a tombstone, or undefined when Redis does not hold the key. Throws when Redis fails. */
  async entity (kind: string, key: string): Promise<StoredEntity | undefined> {
    const text = await this.call(() => this.client.get(this.keys.entity(kind, key)))
    return text === null ? undefined : parseStoredEntity(text)
  }

  /** The route table, or undefined when Redis holds none. Throws when Redis fails. */
  async routeTable (): Promise<RouteTableDocument | undefined> {
    const text = await this.call(() => this.client.get(this.keys.snapshot))
    if (text === null) return undefined
    const value = JSON.parse(text) as { version?: unknown, document?: unknown }
    if (typeof value.version !== 'number' || typeof value.document !== 'object' || value.document === null) {
      throw new Error('cfg:snapshot is not {"version":N,"document":{…}}')
    }
    return { version: value.version, document: value.document as Record<string, unknown> }
  }

  /** `cfg:version` and `cfg:epoch` (each undefined when absent). */
  async versionAndEpoch (): Promise<{ version: number | undefined, epoch: string | undefined }> {
    const [version, epoch] = await this.call(async () => await Promise.all([this.client.get(this.keys.version), this.client.get(this.keys.epoch)]))
    return { version: version === null ? undefined : Number(version), epoch: epoch ?? undefined }
  }

  /** Id of the newest stream entry ('0-0' for an empty or absent stream). */
  async lastStreamId (): Promise<string> {
    const entries = await this.call(() => this.client.xrevrange(this.keys.changes, '+', '-', 'COUNT', 1))
    return entries[0]?.[0] ?? '0-0'
  }

  /** Id of the oldest entry still in the stream (undefined when empty): tells whether it was trimmed past us. */
  async firstStreamId (): Promise<string | undefined> {
    const entries = await this.call(() => this.client.xrange(this.keys.changes, '-', '+', 'COUNT', 1))
    return entries[0]?.[0]
  }

  /** Up to `count` changes after stream id `afterId`, oldest first. */
  async changesAfter (afterId: string, count: number): Promise<StreamChange[]> {
    const entries = await this.call(() => this.client.xrange(this.keys.changes, `(${afterId}`, '+', 'COUNT', count))
    return entries.map(([id, fields]) => {
      const map = new Map<string, string>()
      for (let i = 0; i + 1 < fields.length; i += 2) map.set(fields[i] as string, fields[i + 1] as string)
      return { id, version: Number(map.get('version')), kind: map.get('kind') ?? '', key: map.get('key') ?? '', op: map.get('op') ?? 'upsert' }
    })
  }

  private async call<T> (command: () => Promise<T>): Promise<T> {
    try {
      const result = await command()
      this.health.succeeded()
      return result
    } catch (error) {
      this.health.failed(error)
      throw error
    }
  }
}

/** Orders two stream ids (`<ms>-<seq>`). */
export function compareStreamIds (a: string, b: string): number {
  const [am = 0, as = 0] = a.split('-').map(Number)
  const [bm = 0, bs = 0] = b.split('-').map(Number)
  return am !== bm ? am - bm : as - bs
}
