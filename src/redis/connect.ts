import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis'
import type { RedisSettings } from '../config/schema/redis.js'
import type { Logger } from '../kit/logger.js'
import type { RedisClient } from '../kit/redis.js'
import { setDegraded } from '../metrics/degraded.js'

/**
 * Opens a Redis client that never makes a caller wait on a dead server: no offline queue (a
 * command while disconnected fails at once), a command timeout, one retry per command at most,
 * and reconnects with capped backoff in the background. `purpose` names it in logs; `extra`
 * adds client options (e.g. `autoResubscribe: false` for a subscriber that resubscribes itself).
 */
export function connectRedis (settings: RedisSettings, log: Logger, purpose: string, extra: Partial<RedisOptions> = {}): RedisClient {
  const base: RedisOptions = {
    username: settings.username,
    password: settings.password,
    connectTimeout: settings.connect_timeout_ms,
    commandTimeout: settings.command_timeout_ms,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), settings.max_reconnect_delay_ms),
    connectionName: `tollgate-${purpose}`,
    ...extra
  }
  let client: RedisClient
  if (settings.cluster_nodes.length > 0) {
    const options: ClusterOptions = {
      redisOptions: base,
      enableOfflineQueue: false,
      clusterRetryStrategy: (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), settings.max_reconnect_delay_ms)
    }
    client = new Cluster(settings.cluster_nodes.map(({ host, port }) => ({ host, port })), options)
  } else if (settings.sentinels.length > 0) {
    client = new Redis({ ...base, db: settings.db, sentinels: settings.sentinels.map(({ host, port }) => ({ host, port })), name: settings.sentinel_name })
  } else {
    client = new Redis({ ...base, host: settings.host, port: settings.port, db: settings.db })
  }
  let down = false
  const markDown = (error: Error | undefined): void => {
    // ioredis repeats the error on every reconnect attempt: log the first of each outage only.
    if (!down) log.warn({ err: error, purpose }, 'redis unreachable; features that need it fall back until it is back')
    down = true
    setDegraded(`redis-unreachable:${purpose}`, true)
  }
  client.on('error', markDown)
  // A connection closed cleanly by the peer brings no 'error', only a reconnect: an outage all the same.
  client.on('reconnecting', () => markDown(undefined))
  client.on('ready', () => {
    if (down) log.warn({ purpose }, 'redis reachable again')
    down = false
    setDegraded(`redis-unreachable:${purpose}`, false)
  })
  return client
}

/** True when the client can take commands now. */
export function redisReady (client: RedisClient): boolean {
  return client.status === 'ready'
}

/** Resolves once the client is ready or `timeoutMs` passed (commands fail fast before that). */
export async function waitReady (client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return
  await new Promise<void>((resolve) => {
    const timer = setTimeout(done, timeoutMs)
    function done (): void {
      clearTimeout(timer)
      client.off('ready', done)
      resolve()
    }
    client.once('ready', done)
  })
}
