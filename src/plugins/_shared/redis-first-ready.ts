import type { RedisClient, RedisHandle } from '../../kit/redis.js'

/** Clients whose connection has been ready at least once (later downs are outages, not start-up). */
const everReady = new WeakSet<RedisClient>()
const watched = new WeakSet<RedisClient>()

/**
 * Starts telling start-up from outage for this connection; call it when a user of the connection is
 * built, so a connection that comes up and goes down before the first request counts as an outage.
 */
export function watchFirstReady (redis: RedisHandle): void {
  const client = redis.client
  if (redis.ready()) everReady.add(client)
  if (watched.has(client)) return
  watched.add(client)
  client.once('ready', () => everReady.add(client))
}

/** The client's command timeout (ms), the longest a request may wait on Redis; 200 when unset. */
function commandTimeoutMs (client: RedisClient): number {
  const options = client.options as { commandTimeout?: number, redisOptions?: { commandTimeout?: number } }
  return options.commandTimeout ?? options.redisOptions?.commandTimeout ?? 200
}

/**
 * Whether Redis can take a command, waiting for a connection that is still opening for the first
 * time (a worker's first requests), at most the command timeout. A connection that was up before
 * and is down now answers false at once: that is an outage, and callers fall back without waiting.
 */
export function redisUsable (redis: RedisHandle): boolean | Promise<boolean> {
  const client = redis.client
  watchFirstReady(redis)
  if (redis.ready()) return true
  if (everReady.has(client) || client.status === 'end' || client.status === 'close') return false
  return new Promise((resolve) => {
    const onReady = (): void => { clearTimeout(timer); resolve(true) }
    const timer = setTimeout(() => { client.off('ready', onReady); resolve(redis.ready()) }, commandTimeoutMs(client))
    client.once('ready', onReady)
  })
}
