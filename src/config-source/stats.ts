/**
 * Counters and flags of one worker's config source, read by tests, the heartbeat and metrics.
 * Plain numbers: the hot path increments a field and allocates nothing.
 */
export class ConfigSourceStats {
  /** Lookups answered by L1 without I/O (fresh entries and negative entries). */
  l1Hits = 0
  /** Of those, answered by the negative cache ("no such key"). */
  negativeHits = 0
  /** Loads answered by Redis. */
  l2Hits = 0
  /** Loads answered by the config RPC service. */
  l3Hits = 0
  /** L3 calls made (entity, snapshot and changes). */
  l3Calls = 0
  /** Lookups answered with an expired entry because L2 and L3 both failed (resurrect window). */
  staleServed = 0
  /** Lookups refused because nothing was known and L2 and L3 both failed (503). */
  unavailable = 0
  /** Loads dropped because an invalidation newer than their result arrived meanwhile. */
  droppedLoads = 0
  /** Full L1 flushes (stream trimmed, Redis replaced or flushed, subscriber down). */
  fullFlushes = 0
  /** Invalidation messages received, and keys evicted by them or by the poll's replay. */
  messages = 0
  evictions = 0
  /** Route-table snapshots applied. */
  snapshotsApplied = 0
  /** Degraded flags: true while the last call to that level failed. */
  redisDown = false
  rpcDown = false
  subscriberDown = true
  /** The route table came from the last-good file (L2 and L3 unreachable at start). */
  fromSnapshotFile = false
  /** Newest config version whose changes this worker has applied (contiguously, via the stream). */
  appliedVersion = 0
  /** Newest version seen in `cfg:version`. */
  latestVersion = 0
  /** Since when (epoch ms) this worker has been behind; 0 when up to date. */
  behindSinceMs = 0
  /** Version of the route table being served. */
  routeTableVersion = 0

  /** Versions behind `cfg:version`. */
  get behindVersions (): number {
    return Math.max(0, this.latestVersion - this.appliedVersion)
  }

  /** Seconds this worker has been behind. */
  behindSeconds (nowMs: number): number {
    return this.behindSinceMs === 0 ? 0 : (nowMs - this.behindSinceMs) / 1000
  }

  /** Plain copy for logs, heartbeats and tests. */
  toJSON (nowMs = Date.now()): Record<string, number | boolean> {
    return {
      l1_hits: this.l1Hits,
      negative_hits: this.negativeHits,
      l2_hits: this.l2Hits,
      l3_hits: this.l3Hits,
      l3_calls: this.l3Calls,
      stale_served: this.staleServed,
      unavailable: this.unavailable,
      dropped_loads: this.droppedLoads,
      full_flushes: this.fullFlushes,
      messages: this.messages,
      evictions: this.evictions,
      snapshots_applied: this.snapshotsApplied,
      redis_down: this.redisDown,
      rpc_down: this.rpcDown,
      subscriber_down: this.subscriberDown,
      from_snapshot_file: this.fromSnapshotFile,
      applied_version: this.appliedVersion,
      latest_version: this.latestVersion,
      behind_versions: this.behindVersions,
      behind_seconds: this.behindSeconds(nowMs),
      route_table_version: this.routeTableVersion
    }
  }
}
