import type { GatewaySettings } from '../config/schema/gateway.js'
import type { Logger } from '../kit/logger.js'
import { OtlpExporter } from './otlp-exporter.js'

/**
 * The per-worker switches the request path reads for tracing and the debug header, set from each
 * config version (`configure`). Plain fields: the request path reads them without a call.
 */
export class ObservabilitySettings {
  /** Continue or start a trace per request and send traceparent upstream. */
  tracing = false
  /** Continue a traceparent from any peer, not only trusted proxies. */
  traceFromAnyPeer = false
  /** The debug header's name, undefined when the feature is off. */
  debugHeader: string | undefined = undefined
  debugToken = ''
  /** Span export, when `gateway.tracing.otlp` is configured. */
  exporter: OtlpExporter | undefined = undefined
  private exporterKey = ''

  configure (gateway: GatewaySettings, log: Logger): void {
    const tracing = gateway.tracing
    this.tracing = tracing.enabled
    this.traceFromAnyPeer = tracing.trust_incoming_from_any
    this.debugHeader = gateway.debug_header?.header
    this.debugToken = gateway.debug_header?.token ?? ''
    const otlp = tracing.enabled ? tracing.otlp : undefined
    const key = otlp === undefined ? '' : JSON.stringify(otlp)
    if (key === this.exporterKey) return
    const previous = this.exporter
    this.exporter = otlp === undefined ? undefined : new OtlpExporter(otlp, log)
    this.exporterKey = key
    void previous?.close()
  }

  /** Sends the spans still queued (on drain). */
  async flush (): Promise<void> {
    await this.exporter?.close()
  }
}

export const observability = new ObservabilitySettings()
