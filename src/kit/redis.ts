import type { Cluster, Redis } from 'ioredis'

/** The commands Tollgate uses; a single server and a Cluster both provide them. */
export type RedisClient = Redis | Cluster

/**
 * The worker's shared Redis connection as plugins see it. Commands fail fast (no offline queue,
 * a short command timeout), so a plugin never makes a request wait on a dead Redis: it checks
 * `ready()` or catches the error and falls back.
 */
export interface RedisHandle {
  readonly client: RedisClient
  /** Prefix to put before every key (already in `gateway.redis.key_prefix`, not applied by the client). */
  readonly keyPrefix: string
  /** True while the connection is up and commands can be sent. */
  ready (): boolean
}
