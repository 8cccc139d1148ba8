/** Observability settings: the status listener, metrics, tracing and the per-request debug header. */
import { Type, type Static } from '@sinclair/typebox'
import { Flag, Host, HEADER_NAME_PATTERN, ListenPort, PositiveInt, Section, TimeoutMs } from './typedefs.js'

/** Shortest token accepted: 16 characters keeps a guessed token out of reach of a scan. */
const MIN_TOKEN_LENGTH = 16

const Token = (description: string) => Type.String({ minLength: MIN_TOKEN_LENGTH, maxLength: 512, description })

/**
 * The status listener (served by the primary; carries no traffic). Off unless this section is
 * present: it opens a port, and two gateways on one host would fight over a fixed default one.
 */
export const StatusSchema = Type.Object({
  host: Host('Address to bind; default "127.0.0.1". Any other address needs `token`.', '127.0.0.1'),
  port: ListenPort('Port to bind; default 9180; 0 picks a free port (logged).', 9180),
  token: Type.Optional(Token('Bearer token (at least 16 characters; `${ENV}` works): required on every endpoint when `host` is not loopback, and always on /debug/*; default none (then /debug/* is refused).'))
}, { additionalProperties: false, description: 'Status listener (/status, /health/live, /health/ready, /metrics, /debug/*) on the primary; default none (off).' })

export const MetricsSchema = Section({
  enabled: Flag('Count requests and collect worker metrics for /metrics (needs the status listener); default true.', true),
  push_interval_ms: TimeoutMs('How often each worker sends its totals to the primary; default 1000.', 1000),
  merchant_label_cap: Type.Integer({ minimum: 0, maximum: 10_000, default: 0, description: 'Count requests per merchant for at most this many merchants (the rest as "other"); 0 = no merchant label; default 0.' })
}, 'Metrics; default {}.')

export const OtlpSchema = Type.Object({
  endpoint: Type.String({ format: 'uri', pattern: '^https?://', description: 'OTLP/HTTP JSON traces URL, e.g. "http://127.0.0.1:4318/v1/traces"; required.' }),
  headers: Type.Record(Type.String({ pattern: HEADER_NAME_PATTERN }), Type.String(), { default: {}, description: 'Extra request headers (e.g. an API key); default {}.' }),
  batch_size: PositiveInt('Spans per export request; default 256.', 256, 10_000),
  queue_size: PositiveInt('Spans waiting per worker; more are dropped and counted; default 4096.', 4096, 1_000_000),
  flush_interval_ms: TimeoutMs('Longest a span waits before its batch is sent; default 1000.', 1000),
  timeout_ms: TimeoutMs('Time limit of one export request; default 5000.', 5000),
  service_name: Type.String({ minLength: 1, maxLength: 128, default: 'tollgate', description: 'The resource attribute service.name; default "tollgate".' })
}, { additionalProperties: false, description: 'Export one span per request to an OTLP/HTTP collector; default none (no export).' })

export const TracingSchema = Section({
  enabled: Flag('Continue or start a W3C trace per request and send traceparent upstream; default true.', true),
  trust_incoming_from_any: Flag('Continue a traceparent from any peer, not only trusted proxies; default false.', false),
  otlp: Type.Optional(OtlpSchema)
}, 'W3C trace context and span export; default {}.')

export const DebugHeaderSchema = Type.Object({
  header: Type.String({ pattern: HEADER_NAME_PATTERN, default: 'x-tollgate-debug', description: 'Request header carrying the token (lower-cased on load); default "x-tollgate-debug".' }),
  token: Token('The token that turns on timings for one request (at least 16 characters); required.')
}, { additionalProperties: false, description: 'Per-request timings in a Server-Timing response header for requests carrying the token; default none (off).' })

export type StatusSettings = Static<typeof StatusSchema>
export type MetricsSettings = Static<typeof MetricsSchema>
export type TracingSettings = Static<typeof TracingSchema>
export type OtlpSettings = Static<typeof OtlpSchema>
export type DebugHeaderSettings = Static<typeof DebugHeaderSchema>
