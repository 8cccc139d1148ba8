import type { PhaseTimings } from '../kit/context.js'
import type { TraceContext } from './trace-context.js'

/** What the exporter keeps of a finished request. */
export interface SpanRecord {
  readonly trace: TraceContext
  readonly startEpochMs: number
  readonly totalMs: number
  readonly gatewayMs: number
  readonly upstreamMs: number
  readonly phaseMs: PhaseTimings
  readonly method: string
  readonly path: string
  readonly requestId: string
  readonly route: string
  readonly service: string
  readonly status: number | undefined
  readonly errorCode: string | undefined
  readonly target: string | undefined
  readonly attempts: number
}

type AnyValue = { stringValue: string } | { intValue: string } | { doubleValue: number }

function attribute (key: string, value: string | number | undefined): { key: string, value: AnyValue } | undefined {
  if (value === undefined || value === '') return undefined
  if (typeof value === 'string') return { key, value: { stringValue: value } }
  return { key, value: Number.isInteger(value) ? { intValue: String(value) } : { doubleValue: value } }
}

function present<T> (items: Array<T | undefined>): T[] {
  return items.filter((item): item is T => item !== undefined)
}

/** Epoch ms (fractional) → the decimal string of Unix nanoseconds OTLP JSON wants. */
function nanos (epochMs: number): string {
  return (BigInt(Math.round(epochMs * 1000)) * 1000n).toString()
}

/** OTLP span kind SERVER; status codes UNSET 0, ERROR 2. */
const SPAN_KIND_SERVER = 2
const STATUS_ERROR = 2

function span (record: SpanRecord): unknown {
  const start = record.startEpochMs
  // Phases run one after another: each event is stamped at the end of its phase.
  const events: unknown[] = []
  let at = start
  for (const phase of ['rewrite', 'access', 'content'] as const) {
    const ms = record.phaseMs[phase]
    if (ms < 0) continue
    at += ms
    events.push({ timeUnixNano: nanos(at), name: phase, attributes: [attribute('duration_ms', ms)] })
  }
  if (record.upstreamMs >= 0) {
    events.push({ timeUnixNano: nanos(start + record.gatewayMs + record.upstreamMs), name: 'upstream_response_head', attributes: [attribute('duration_ms', record.upstreamMs)] })
  }
  const status = record.status
  return {
    traceId: record.trace.traceId,
    spanId: record.trace.spanId,
    ...(record.trace.parentSpanId === undefined ? {} : { parentSpanId: record.trace.parentSpanId }),
    ...(record.trace.state === undefined ? {} : { traceState: record.trace.state }),
    name: `${record.method} ${record.route === '' ? '(no route)' : record.route}`,
    kind: SPAN_KIND_SERVER,
    startTimeUnixNano: nanos(start),
    endTimeUnixNano: nanos(start + Math.max(record.totalMs, 0)),
    attributes: present([
      attribute('http.request.method', record.method),
      attribute('url.path', record.path),
      attribute('http.response.status_code', status),
      attribute('tollgate.request_id', record.requestId),
      attribute('tollgate.route', record.route),
      attribute('tollgate.service', record.service),
      attribute('tollgate.error_code', record.errorCode),
      attribute('tollgate.upstream.target', record.target),
      attribute('tollgate.upstream.attempts', record.attempts),
      attribute('tollgate.gateway_ms', record.gatewayMs)
    ]),
    events,
    status: status !== undefined && status >= 500 ? { code: STATUS_ERROR, message: record.errorCode ?? `HTTP ${status}` } : {}
  }
}

/** The body of one OTLP/HTTP JSON export request (ExportTraceServiceRequest). */
export function otlpRequestBody (records: readonly SpanRecord[], serviceName: string): string {
  return JSON.stringify({
    resourceSpans: [{
      resource: { attributes: [attribute('service.name', serviceName)] },
      scopeSpans: [{ scope: { name: 'tollgate' }, spans: records.map(span) }]
    }]
  })
}
