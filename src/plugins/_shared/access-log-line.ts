// The access-log record, one JSON line per request: written to files by access-log and posted to a
// collector by http-log, so both carry the same fields.
import type { PluginContext } from '../../kit/context.js'

/**
 * Milliseconds to three decimals as JSON text, the same text as `String(Math.round(v * 1000) / 1000)`;
 * -1 (not measured) becomes null. Printed from the integer parts: a double's shortest decimal form
 * was the largest cost of building the line in a profile under load (six per record).
 */
export function ms (value: number): string {
  if (value < 0) return 'null'
  const micros = Math.round(value * 1000)
  const whole = Math.floor(micros / 1000)
  const frac = micros - whole * 1000
  if (frac === 0) return String(whole)
  if (frac % 100 === 0) return `${whole}.${frac / 100}`
  if (frac % 10 === 0) return `${whole}.${frac < 100 ? '0' : ''}${frac / 10}`
  return `${whole}.${frac < 10 ? '00' : frac < 100 ? '0' : ''}${frac}`
}

// Requests arriving in the same millisecond share one ISO string (toISOString showed in profiles).
let lastEpochMs = -1
let lastIso = ''
function isoTime (epochMs: number): string {
  if (epochMs !== lastEpochMs) {
    lastEpochMs = epochMs
    lastIso = new Date(epochMs).toISOString()
  }
  return lastIso
}

/** Printable ASCII without `"` and `\\`: needs no escaping, so quoting it is enough. */
const NEEDS_NO_ESCAPE = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/

function text (value: string | undefined | null): string {
  if (value === undefined || value === null) return 'null'
  // Ids, addresses, methods and paths are nearly always plain; the regex check measured about
  // 2.5x cheaper than JSON.stringify on such fields (node 20).
  return NEEDS_NO_ESCAPE.test(value) ? `"${value}"` : JSON.stringify(value)
}

function count (value: number | undefined | null): string {
  return value === undefined || value === null ? 'null' : String(value)
}

/**
 * One access-log record as a JSON line (with its newline). Field order is fixed so lines diff and
 * grep well; absent values are null rather than missing, so every line has every field (the query
 * only when asked for). `time` is the request's arrival (ISO 8601, UTC). Built as one template
 * string rather than an object handed to JSON.stringify: this runs once per request and the
 * generic path cost about 7 % of a worker's CPU in a profile under load.
 */
export function accessLogLine (ctx: PluginContext, includeQuery: boolean): string {
  const { request, response, timings, upstream } = ctx
  const phaseMs = timings.phaseMs
  const query = includeQuery ? `,"query":${text(request.query)}` : ''
  return `{"time":"${isoTime(timings.startedAtEpochMs)}","request_id":${text(request.id)},"trace_id":${text(ctx.trace?.traceId)},"client_ip":${text(request.clientIp)}` +
    `,"method":${text(request.method)},"path":${text(request.path)}${query},"status":${count(response?.status)}` +
    `,"bytes_sent":${response?.bytesSent ?? 0},"request_bytes":${count(request.bodyLength)}` +
    `,"duration_ms":${ms(timings.totalMs)},"gateway_ms":${ms(timings.gatewayMs)},"upstream_ms":${ms(timings.upstreamMs)}` +
    `,"route":${text(ctx.routeId)},"service":${text(ctx.serviceId)},"merchant":${text(ctx.merchant?.id)}` +
    `,"target":${text(upstream?.target)},"upstream_status":${count(upstream?.status)},"attempts":${upstream?.attempts ?? 0}` +
    `,"error_code":${text(response?.errorCode)},"user_agent":${text(request.headers.get('user-agent'))}` +
    `,"phase_ms":{"rewrite":${ms(phaseMs.rewrite)},"access":${ms(phaseMs.access)},"content":${ms(phaseMs.content)}}}\n`
}
