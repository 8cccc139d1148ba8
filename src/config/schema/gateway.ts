/** Global gateway settings: processes, listeners, limits, timeouts, request ids, forwarding headers. */
import { Type, type Static } from '@sinclair/typebox'
import { RedisSchema } from './redis.js'
import { DebugHeaderSchema, MetricsSchema, StatusSchema, TracingSchema } from './observability.js'
import { Cidr, Flag, Host, HEADER_NAME_PATTERN, ID_PATTERN, ListenPort, PositiveInt, Section, StringEnum, TimeoutMs } from './typedefs.js'

/** Ingress implementations a listener may use (DESIGN.md §11). */
export const INGRESSES = ['fast-h1', 'node'] as const
export const HALF_CLOSE = ['abort', 'answer'] as const
/** Log levels, most verbose first (pino's names). */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const

/** One listening socket. */
export const ListenerSchema = Type.Object({
  name: Type.String({ pattern: ID_PATTERN, description: 'Name of the listener, unique (log field and metric label); required.' }),
  host: Host('Address to bind; default "127.0.0.1" (use "0.0.0.0" or "::" to accept remote clients).', '127.0.0.1'),
  port: ListenPort('Port to bind; 0 picks a free port; required.'),
  protocol: StringEnum(['http', 'https'] as const, 'Protocol; https needs at least one certificate; default "http".', 'http'),
  http2: Type.Optional(Type.Boolean({ description: 'Offer HTTP/2 by ALPN (https only; h2c is not supported); default true for https, false for http.' })),
  ingress: StringEnum(INGRESSES, 'Ingress implementation: "fast-h1" (HTTP/1.x on node:net with the llhttp parser of Node, falls back to "node" if its start-up self-test fails) or "node" (node:http); HTTP/2 always uses node:http2; default "fast-h1".', 'fast-h1'),
  half_close: StringEnum(HALF_CLOSE, 'A client\'s FIN on an HTTP/1.x connection: "abort" takes it as the client leaving, as nginx does for proxied requests (the requests it is still owed are given up, their upstream calls cancelled, logged 499) or "answer" takes it as a half-close (every request received whole is still answered, in order, then the connection closes; a client that really left is only noticed when a write fails); default "abort".', 'abort')
}, { additionalProperties: false, description: 'A listening socket.' })

/** The listener used when `gateway.listeners` is left out. */
export const DEFAULT_LISTENER = { name: 'http', host: '127.0.0.1', port: 8080, protocol: 'http' } as const

const MIB = 1024 * 1024

/** The gateway's global settings (`gateway:` in the file). */
export const GatewaySchema = Type.Object({
  workers: Type.Integer({ minimum: 0, maximum: 1024, default: 0, description: 'Number of worker processes; 0 = one per CPU; default 0.' }),
  listeners: Type.Array(ListenerSchema, {
    minItems: 1,
    default: [DEFAULT_LISTENER],
    description: 'Listening sockets; default one: {name: "http", host: "127.0.0.1", port: 8080, protocol: "http"}.'
  }),
  limits: Section({
    max_header_bytes: PositiveInt('Largest request header block in bytes; default 16384.', 16384, MIB),
    max_header_count: PositiveInt('Most request header lines; default 100.', 100, 10_000),
    max_url_bytes: PositiveInt('Longest request URL in bytes; default 8192.', 8192, MIB),
    max_body_bytes: PositiveInt('Default cap in bytes for bodies buffered by plugins that read them; default 10485760 (10 MiB).', 10 * MIB, 1024 * MIB)
  }, 'Request size limits enforced at the ingress; default {}.'),
  timeouts: Section({
    header_read_ms: TimeoutMs('Time to receive the complete request head; default 10000.', 10_000),
    keep_alive_idle_ms: TimeoutMs('Idle time before a client keep-alive connection is closed, announced in whole seconds as `keep-alive: timeout=N`; default 5000.', 5_000),
    request_ms: TimeoutMs('Time to receive the complete request, body included; default 60000.', 60_000),
    drain_ms: TimeoutMs('On SIGTERM or reload, how long in-flight requests may finish; default 30000.', 30_000)
  }, 'Client-side timeouts in milliseconds; default {}.'),
  request_id: Section({
    header: Type.String({ pattern: HEADER_NAME_PATTERN, default: 'x-request-id', description: 'Header carrying the request id (lower-cased on load); default "x-request-id".' }),
    trust_incoming: Flag('Keep an incoming request id when the peer is a trusted proxy (or any peer, see trust_incoming_from_any); default true.', true),
    trust_incoming_from_any: Flag('Keep an incoming request id from any peer, not only trusted proxies; default false.', false)
  }, 'Request id handling; default {}.'),
  trusted_proxies: Type.Array(Cidr('Address or CIDR block of a trusted proxy.'), {
    default: [],
    description: 'Peers whose X-Forwarded-* headers and request ids are believed; default [].'
  }),
  forwarded: Section({
    x_forwarded_for: Flag('Append the client address to X-Forwarded-For upstream; default true.', true),
    x_forwarded_proto: Flag('Set X-Forwarded-Proto upstream; default true.', true),
    x_forwarded_host: Flag('Set X-Forwarded-Host upstream; default true.', true),
    x_forwarded_port: Flag('Set X-Forwarded-Port upstream; default true.', true),
    via: Flag('Append a Via header upstream and downstream; default true.', true)
  }, 'Headers added to proxied requests; default {}.'),
  redis: Type.Optional(RedisSchema),
  plugins_dir: Type.Optional(Type.String({ minLength: 1, description: 'Folder of third-party plugins, relative to the config file; default none.' })),
  log: Section({
    level: StringEnum(LOG_LEVELS, 'Least severe level written; default "info".', 'info')
  }, 'Logging; default {}.'),
  dns: Section({
    servers: Type.Array(Type.String({
      pattern: '^(\\d{1,3}(\\.\\d{1,3}){3}(:\\d{1,5})?|\\[[0-9A-Fa-f:]+\\](:\\d{1,5})?|[0-9A-Fa-f:]*:[0-9A-Fa-f:]*)$',
      description: 'A DNS server: an IP address, optionally with a port ("10.0.0.2:5353", "[fd00::2]:53").'
    }), { maxItems: 8, default: [], description: 'DNS servers that resolve target host names; default [] (those of the system, /etc/resolv.conf).' }),
    timeout_ms: TimeoutMs('Time limit of one DNS query; default 2000.', 2000),
    tries: PositiveInt('Tries per DNS server before a resolution fails; default 2.', 2, 10)
  }, 'DNS resolution of target host names (see services[].dns); default {}.'),
  status: Type.Optional(StatusSchema),
  metrics: MetricsSchema,
  tracing: TracingSchema,
  debug_header: Type.Optional(DebugHeaderSchema),
  restart_backoff: Section({
    initial_ms: TimeoutMs('Delay before restarting a crashed worker the first time; doubles per crash; default 100.', 100),
    max_ms: TimeoutMs('Longest delay between restarts of a crashing worker; default 10000.', 10_000)
  }, 'Backoff of worker restarts; default {}.')
}, { additionalProperties: false, default: {}, description: 'Global gateway settings; default {}.' })

/** The `gateway` section after schema validation (defaults applied). */
export type GatewaySettings = Static<typeof GatewaySchema>
/** One listener after schema validation. */
export type ListenerEntry = Static<typeof ListenerSchema>
