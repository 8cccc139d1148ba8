import type { PluginContext } from '../../kit/context.js'

/** Milliseconds to three decimals; -1 (not measured) becomes null. */
function ms (value: number): number | null {
  return value < 0 ? null : Math.round(value * 1000) / 1000
}

/**
 * One access-log record as a JSON line (with its newline). Field order is fixed so lines diff and
 * grep well; absent values are null rather than missing, so every line has every field.
 * `time` is the request's arrival (ISO 8601, UTC).
 */
export function accessLogLine (ctx: PluginContext, includeQuery: boolean): string {
  const { request, response, timings, upstream } = ctx
  const record = {
    time: new Date(timings.startedAtEpochMs).toISOString(),
    request_id: request.id,
    client_ip: request.clientIp,
    method: request.method,
    path: request.path,
    query: includeQuery ? request.query : undefined, // undefined: the key is left out of the JSON
    status: response?.status ?? null,
    bytes_sent: response?.bytesSent ?? 0,
    request_bytes: request.bodyLength ?? null,
    duration_ms: ms(timings.totalMs),
    gateway_ms: ms(timings.gatewayMs),
    upstream_ms: ms(timings.upstreamMs),
    route: ctx.routeId,
    service: ctx.serviceId,
    merchant: ctx.merchant?.id ?? null,
    target: upstream?.target ?? null,
    upstream_status: upstream?.status ?? null,
    attempts: upstream?.attempts ?? 0,
    error_code: response?.errorCode ?? null,
    user_agent: request.headers.get('user-agent') ?? null
  }
  return JSON.stringify(record) + '\n'
}
