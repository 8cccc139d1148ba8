// One request with every access-log field set, and the record access-log and http-log make of it.
import { makeMerchant, type ContextInit } from './plugin-context.js'

/** A finished request with every field the access-log record reads. */
export const FULL_REQUEST: ContextInit = {
  request: {
    id: 'req-42',
    method: 'POST',
    path: '/v1/orders',
    query: 'apikey=secret&page=2',
    clientIp: '198.51.100.9',
    bodyLength: 321,
    headers: { 'user-agent': 'sdk/1.2' }
  },
  response: { status: 201, bytesSent: 77 },
  routeId: 'orders',
  serviceId: 'order-service',
  merchant: makeMerchant('m-acme'),
  timings: { startedAtEpochMs: Date.UTC(2026, 0, 2, 3, 4, 5, 678), gatewayMs: 0.4567, upstreamMs: 12.3456, totalMs: 13.0001, phaseMs: { rewrite: 0.1, access: 0.2, content: 0.05 } },
  upstream: { serviceId: 'order-service', target: '10.0.0.5:8080', attempts: 2, status: 201 },
  trace: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' }
}

/** The record of {@link FULL_REQUEST} (without `include_query`), parsed. */
export const FULL_RECORD = {
  time: '2026-01-02T03:04:05.678Z',
  request_id: 'req-42',
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  client_ip: '198.51.100.9',
  method: 'POST',
  path: '/v1/orders',
  status: 201,
  bytes_sent: 77,
  request_bytes: 321,
  duration_ms: 13,
  gateway_ms: 0.457,
  upstream_ms: 12.346,
  route: 'orders',
  service: 'order-service',
  merchant: 'm-acme',
  target: '10.0.0.5:8080',
  upstream_status: 201,
  attempts: 2,
  error_code: null,
  user_agent: 'sdk/1.2',
  phase_ms: { rewrite: 0.1, access: 0.2, content: 0.05 }
}

/** {@link FULL_REQUEST} with another request id. */
export function fullRequestWithId (id: string): ContextInit {
  return { ...FULL_REQUEST, request: { ...FULL_REQUEST.request, id } }
}
