import type { Worker as ClusterWorker } from 'node:cluster'
import type { MetricJson } from './family.js'
import { NodeMetrics } from './node-metrics.js'

/**
 * The primary's side of metrics: keeps each worker's latest snapshot (pushed every
 * `push_interval_ms`) and, on a scrape, asks every worker for a fresh one, waiting at most
 * `timeoutMs` before rendering what it has.
 */
export class MetricsHub {
  readonly node = new NodeMetrics()
  private readonly waiting = new Set<{ pending: Set<number>, done: () => void }>()

  constructor (
    private readonly liveWorkers: () => ClusterWorker[],
    private readonly own: () => MetricJson[],
    private readonly ask: (worker: ClusterWorker) => void
  ) {}

  /** A snapshot from `worker` arrived. */
  received (worker: ClusterWorker, snapshot: MetricJson[]): void {
    this.node.update(worker.id, snapshot)
    this.answered(worker.id)
  }

  /** `worker` exited: its totals stay in the node's, its gauges go. */
  exited (worker: ClusterWorker): void {
    this.node.retire(worker.id)
    this.answered(worker.id)
  }

  /** The node's metrics text after a fresh round of snapshots (or `timeoutMs`). */
  async scrape (timeoutMs: number): Promise<string> {
    const workers = this.liveWorkers().filter((w) => w.isConnected())
    if (workers.length > 0) {
      await new Promise<void>((resolve) => {
        const entry = { pending: new Set(workers.map((w) => w.id)), done: resolve }
        const timer = setTimeout(() => { this.waiting.delete(entry); resolve() }, timeoutMs)
        entry.done = () => { clearTimeout(timer); this.waiting.delete(entry); resolve() }
        this.waiting.add(entry)
        for (const worker of workers) this.ask(worker)
      })
    }
    return this.node.render(this.own())
  }

  private answered (workerId: number): void {
    for (const entry of this.waiting) {
      entry.pending.delete(workerId)
      if (entry.pending.size === 0) entry.done()
    }
  }
}
