import type { StoredEntity } from './entity.js'
import type { L2Redis } from './l2-redis.js'
import type { L3Rpc } from './l3-rpc.js'
import type { EntityLoader } from './layered-cache.js'
import type { ConfigSourceStats } from './stats.js'

/**
 * Below L1: Redis first; the config service when Redis fails or does not hold the key (a fresh or
 * flushed Redis). Throws only when neither level could answer, so an error is never mistaken for
 * "no such entity" (and never negative-cached).
 */
export class EntityLevels implements EntityLoader {
  constructor (private readonly l2: L2Redis, private readonly l3: L3Rpc, private readonly stats: ConfigSourceStats) {}

  async load (kind: string, key: string): Promise<StoredEntity | undefined> {
    let l2Error: unknown
    try {
      const stored = await this.l2.entity(kind, key)
      if (stored !== undefined) {
        this.stats.l2Hits++
        return stored
      }
    } catch (error) {
      l2Error = error
    }
    try {
      return await this.loadFromL3(kind, key)
    } catch (l3Error) {
      throw new AggregateError(l2Error === undefined ? [l3Error] : [l2Error, l3Error], `config levels failed for ${kind}:${key}`)
    }
  }

  async loadFromL3 (kind: string, key: string): Promise<StoredEntity | undefined> {
    const stored = await this.l3.entity(kind, key)
    this.stats.l3Hits++
    return stored
  }
}
