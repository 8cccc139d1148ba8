/**
 * Live gateway nodes, from the heartbeats they write to Redis (`cfg:node:<node id>`, TTL 10 s,
 * docs/control-plane.md): a node that stopped writing disappears within the TTL.
 */
import type { Redis } from 'ioredis'
import type { RedisClient } from '../kit/redis.js'

/** One node as its heartbeat describes it, with what the control plane adds. */
export interface NodeHeartbeat {
  readonly node: string
  readonly applied_version: number
  readonly behind_versions: number
  readonly behind_seconds: number
  /** When the node wrote the heartbeat, epoch ms. */
  readonly at: number
  /** Milliseconds since `at`, by the control plane's clock. */
  readonly age_ms: number
  /** `cfg:version` minus `applied_version`, by the control plane's reading of Redis. */
  readonly versions_behind_relay: number | null
}

async function scanKeys (client: Redis, match: string): Promise<string[]> {
  const keys: string[] = []
  let cursor = '0'
  do {
    const [next, batch] = await client.scan(cursor, 'MATCH', match, 'COUNT', 500)
    cursor = next
    keys.push(...batch)
  } while (cursor !== '0')
  return keys
}

/** Lists the nodes whose heartbeat is in Redis now, sorted by node id. */
export async function listNodes (client: RedisClient, keyPrefix: string, now: () => number = Date.now): Promise<NodeHeartbeat[]> {
  const match = `${keyPrefix}cfg:node:*`
  const servers: Redis[] = 'nodes' in client && typeof client.nodes === 'function' && client.constructor.name === 'Cluster'
    ? client.nodes('master')
    : [client as Redis]
  const keys = (await Promise.all(servers.map((s) => scanKeys(s, match)))).flat()
  const relayVersion = await client.get(`${keyPrefix}cfg:version`)
  const nodes: NodeHeartbeat[] = []
  for (const key of keys) {
    // One GET per key: in a Cluster the keys live in different slots (no MGET across them).
    const text = await client.get(key)
    if (text === null) continue // expired between SCAN and GET
    let beat: Record<string, unknown>
    try {
      beat = JSON.parse(text) as Record<string, unknown>
    } catch {
      continue
    }
    const applied = Number(beat.applied_version ?? 0)
    const at = Number(beat.at ?? 0)
    nodes.push({
      node: typeof beat.node === 'string' ? beat.node : key.slice(match.length - 1),
      applied_version: applied,
      behind_versions: Number(beat.behind_versions ?? 0),
      behind_seconds: Number(beat.behind_seconds ?? 0),
      at,
      age_ms: Math.max(0, now() - at),
      versions_behind_relay: relayVersion === null ? null : Math.max(0, Number(relayVersion) - applied)
    })
  }
  return nodes.sort((a, b) => a.node.localeCompare(b.node))
}
