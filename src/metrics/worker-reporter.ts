import type { GatewaySettings } from '../config/schema/gateway.js'
import { degradedModes } from './degraded.js'
import type { MetricJson } from './family.js'
import { metrics } from './registry.js'
import { requestMetrics } from './request-metrics.js'

/**
 * Ships this worker's metric totals to the primary every `push_interval_ms` (the timer is unref'd
 * and does the only snapshot work) and whenever a scrape asks. Counting on the request path is on
 * only when metrics are enabled and a status listener exists to serve them.
 */
export class WorkerReporter {
  private timer: NodeJS.Timeout | undefined = undefined
  private intervalMs = 0

  constructor (private readonly send: (message: { type: 'metrics', metrics: MetricJson[], degraded: string[] }) => void) {}

  configure (gateway: GatewaySettings): void {
    const on = gateway.status !== undefined && gateway.metrics.enabled
    requestMetrics.configure(on, gateway.metrics.merchant_label_cap)
    const intervalMs = on ? gateway.metrics.push_interval_ms : 0
    if (intervalMs === this.intervalMs) return
    this.intervalMs = intervalMs
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
    if (intervalMs > 0) {
      this.timer = setInterval(() => this.report(), intervalMs)
      this.timer.unref()
    }
  }

  /** Sends the totals now. */
  report (): void {
    this.send({ type: 'metrics', metrics: metrics.snapshot(), degraded: degradedModes() })
  }
}
