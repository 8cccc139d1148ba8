import type { OtlpSettings } from '../config/schema/observability.js'
import type { PluginContext, PhaseTimings } from '../kit/context.js'
import type { Logger } from '../kit/logger.js'
import { metrics } from '../metrics/registry.js'
import { isSampled, type TraceContext } from './trace-context.js'
import { otlpRequestBody, type SpanRecord } from './otlp-json.js'

const exported = metrics.counter('tollgate_trace_spans_exported_total', 'Spans accepted by the OTLP collector.')
const dropped = metrics.counter('tollgate_trace_spans_dropped_total', 'Spans dropped: queue full or the export failed.', { labels: ['reason'] })

/** At most one warning per this many ms about failed exports. */
const WARN_INTERVAL_MS = 10_000

/**
 * Exports one span per sampled request to an OTLP/HTTP collector (JSON encoding). The request
 * path only copies a few fields into a bounded queue; JSON is built and sent from a timer, one
 * batch at a time. A full queue drops new spans (counted); a failed export drops its batch
 * (counted, warned about at most every 10 s): tracing never slows or fails a request.
 */
export class OtlpExporter {
  private queue: SpanRecord[] = []
  private sending: Promise<void> | undefined = undefined
  private readonly timer: NodeJS.Timeout
  private lastWarnAt = 0
  private readonly droppedFull = dropped.series('queue-full')
  private readonly droppedFailed = dropped.series('export-failed')

  constructor (private readonly settings: OtlpSettings, private readonly log: Logger) {
    this.timer = setInterval(() => { void this.flushOnce() }, settings.flush_interval_ms)
    this.timer.unref()
  }

  /** Queues the span of a finished request (sampled ones only). */
  add (ctx: PluginContext & { readonly trace: TraceContext | undefined }): void {
    const trace = ctx.trace
    if (trace === undefined || !isSampled(trace)) return
    if (this.queue.length >= this.settings.queue_size) {
      this.droppedFull.inc()
      return
    }
    const timings = ctx.timings
    const phaseMs: PhaseTimings = { rewrite: timings.phaseMs.rewrite, access: timings.phaseMs.access, content: timings.phaseMs.content }
    this.queue.push({
      trace,
      startEpochMs: timings.startedAtEpochMs,
      totalMs: timings.totalMs,
      gatewayMs: timings.gatewayMs,
      upstreamMs: timings.upstreamMs,
      phaseMs,
      method: ctx.request.method,
      path: ctx.request.path,
      requestId: ctx.request.id,
      route: ctx.routeId,
      service: ctx.serviceId,
      status: ctx.response?.status,
      errorCode: ctx.response?.errorCode,
      target: ctx.upstream?.target,
      attempts: ctx.upstream?.attempts ?? 0
    })
    if (this.queue.length === this.settings.batch_size) setImmediate(() => { void this.flushOnce() })
  }

  /** Stops the timer and sends what is queued. */
  async close (): Promise<void> {
    clearInterval(this.timer)
    while (this.queue.length > 0 || this.sending !== undefined) {
      if (this.sending !== undefined) await this.sending
      else await this.flushOnce()
    }
  }

  private async flushOnce (): Promise<void> {
    if (this.sending !== undefined || this.queue.length === 0) return
    const batch = this.queue.length <= this.settings.batch_size ? this.queue : this.queue.slice(0, this.settings.batch_size)
    this.queue = batch === this.queue ? [] : this.queue.slice(batch.length)
    this.sending = this.send(batch).finally(() => { this.sending = undefined })
    await this.sending
  }

  private async send (batch: SpanRecord[]): Promise<void> {
    try {
      const response = await fetch(this.settings.endpoint, {
        method: 'POST',
        headers: { ...this.settings.headers, 'content-type': 'application/json' },
        body: otlpRequestBody(batch, this.settings.service_name),
        signal: AbortSignal.timeout(this.settings.timeout_ms)
      })
      await response.arrayBuffer()
      if (!response.ok) throw new Error(`collector answered ${response.status}`)
      exported.series().inc(batch.length)
    } catch (error) {
      this.droppedFailed.inc(batch.length)
      const now = Date.now()
      if (now - this.lastWarnAt >= WARN_INTERVAL_MS) {
        this.lastWarnAt = now
        this.log.warn({ err: error, endpoint: this.settings.endpoint, spans: batch.length }, 'span export failed; batch dropped')
      }
    }
  }
}
