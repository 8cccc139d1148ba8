import type { RedisClient } from '../kit/redis.js'
import type { RedisKeys } from './redis-keys.js'
import type { ConfigSourceStats } from './stats.js'

/** Heartbeat TTL (docs/control-plane.md): a node silent this long drops out of the admin API's list. */
const HEARTBEAT_TTL_SECONDS = 10
/** Written every few seconds, so one or two lost writes do not make a live node vanish. */
export const HEARTBEAT_PERIOD_MS = 3000

/** Writes `cfg:node:<node id>` with this node's config lag; a failure waits for the next period. */
export async function writeHeartbeat (client: RedisClient, keys: RedisKeys, nodeId: string, stats: ConfigSourceStats, nowMs = Date.now()): Promise<void> {
  const body = JSON.stringify({
    node: nodeId,
    applied_version: stats.appliedVersion,
    behind_versions: stats.behindVersions,
    behind_seconds: stats.behindSeconds(nowMs),
    at: nowMs
  })
  try {
    await client.set(keys.node(nodeId), body, 'EX', HEARTBEAT_TTL_SECONDS)
  } catch {
    // Redis down: the L2 health already logged it; the node's entry expires, which is the truth.
  }
}
