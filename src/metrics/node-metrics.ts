import promClient from 'prom-client'
import type { MetricJson, MetricJsonValue } from './family.js'

const { AggregatorRegistry } = promClient

/** prom-client's text format content type. */
export const METRICS_CONTENT_TYPE = AggregatorRegistry.PROMETHEUS_CONTENT_TYPE

function seriesKey (value: MetricJsonValue): string {
  const labels = value.labels
  const names = Object.keys(labels).sort()
  let key = value.metricName ?? ''
  for (const name of names) key += `\u0000${name}=${String(labels[name])}`
  return key
}

/**
 * The node's metrics in the primary: the last snapshot of each live worker, plus the counters and
 * histograms of workers that exited. A worker's counters only grow, so keeping its last totals
 * when it dies keeps every node total from ever going down across a restart (the increments after
 * its last snapshot are lost, never counted twice). Gauges of a dead worker are dropped.
 */
export class NodeMetrics {
  private readonly live = new Map<number, MetricJson[]>()
  private readonly retired = new Map<string, { family: MetricJson, byKey: Map<string, MetricJsonValue> }>()

  /** The latest snapshot of worker `workerId` (replaces the previous one). */
  update (workerId: number, snapshot: MetricJson[]): void {
    this.live.set(workerId, snapshot)
  }

  /** Worker `workerId` exited: its counters and histograms are kept, its gauges forgotten. */
  retire (workerId: number): void {
    const last = this.live.get(workerId)
    this.live.delete(workerId)
    if (last === undefined) return
    for (const family of last) {
      if (family.type === 'gauge') continue
      let kept = this.retired.get(family.name)
      if (kept === undefined) {
        kept = { family: { ...family, values: [] }, byKey: new Map() }
        this.retired.set(family.name, kept)
      }
      for (const value of family.values) {
        const key = seriesKey(value)
        const sum = kept.byKey.get(key)
        if (sum === undefined) {
          const copy = { ...value }
          kept.byKey.set(key, copy)
          kept.family.values.push(copy)
        } else {
          sum.value += value.value
        }
      }
    }
  }

  /** Workers with a snapshot. */
  get workerIds (): number[] {
    return [...this.live.keys()]
  }

  /** The node's metrics in the Prometheus text format; `own` are the primary's families. */
  async render (own: MetricJson[]): Promise<string> {
    const sets: MetricJson[][] = [[...this.retired.values()].map((r) => r.family), ...this.live.values(), own]
    return AggregatorRegistry.aggregate(sets).metrics()
  }
}
