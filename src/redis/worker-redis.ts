import type { RedisSettings } from '../config/schema/redis.js'
import type { Logger } from '../kit/logger.js'
import type { RedisHandle } from '../kit/redis.js'
import { connectRedis, redisReady } from './connect.js'

/**
 * One Redis connection per worker, shared by every plugin binding and kept across config reloads
 * while `gateway.redis` is unchanged; a changed address opens a new connection and closes the old.
 */
export class WorkerRedis {
  private current: { key: string, handle: RedisHandle } | undefined

  constructor (private readonly log: Logger) {}

  /** The handle for these settings (undefined when the config has no Redis). */
  handleFor (settings: RedisSettings | undefined): RedisHandle | undefined {
    if (settings === undefined) {
      this.close()
      return undefined
    }
    const key = JSON.stringify(settings)
    if (this.current?.key === key) return this.current.handle
    this.close()
    const client = connectRedis(settings, this.log, 'plugins')
    const handle: RedisHandle = { client, keyPrefix: settings.key_prefix, ready: () => redisReady(client) }
    this.current = { key, handle }
    return handle
  }

  close (): void {
    this.current?.handle.client.disconnect()
    this.current = undefined
  }
}
