/** A service: the upstream a route proxies to (targets, balancer, timeouts, TLS, keep-alive). */
import { Type, type Static } from '@sinclair/typebox'
import { BASE_PATH_PATTERN, Flag, HEADER_NAME_PATTERN, Host, Id, Port, PositiveInt, Section, StringEnum, TimeoutMs } from './typedefs.js'

/** Upstream protocols (DESIGN.md §6). */
export const SERVICE_PROTOCOLS = ['http', 'https', 'tgrpc', 'grpc'] as const
/** Protocols of DESIGN.md §4 that are planned but not yet accepted, with the reason given (none now). */
export const PLANNED_SERVICE_PROTOCOLS: Readonly<Record<string, string>> = {}
/** Balancers a service may name (DESIGN.md §6); `src/upstream/balancers/README.md` says when to use which. */
export const BALANCERS = ['p2c-peak-ewma', 'least-connections', 'round-robin', 'consistent-hash'] as const
/** What `consistent-hash` hashes a request on. */
export const HASH_ON = ['ip', 'merchant', 'header', 'path'] as const

/** Which address families a target host name is resolved to. */
export const DNS_FAMILIES = ['ipv4', 'ipv6', 'any'] as const

/** An HTTP active check's path when `path` is not set (filled in on load for http and https services). */
export const DEFAULT_CHECK_PATH = '/health'
/** Statuses that pass an HTTP active check when `expected_statuses` is not set (filled in on load for http and https services). */
export const DEFAULT_EXPECTED_STATUSES: readonly number[] = [200]

/** An integer percent, 0..100. */
const Percent = (description: string, defaultValue: number) => Type.Integer({ minimum: 0, maximum: 100, default: defaultValue, description })
/** A duration in milliseconds where 0 means "none", up to one day. */
const OptionalMs = (description: string, defaultValue: number) => Type.Integer({ minimum: 0, maximum: 86_400_000, default: defaultValue, description })

/** One backend address of a service. */
export const TargetSchema = Type.Object({
  host: Host('Host name or IP address of the backend; required.'),
  port: Port('Port of the backend; required.'),
  weight: PositiveInt('Relative share of requests, 1..1000; default 100.', 100, 1000)
}, { additionalProperties: false, description: 'A backend address.' })

/** A service (`services:` in the file). */
export const ServiceSchema = Type.Object({
  id: Id('Unique id of the service; required.'),
  protocol: StringEnum(SERVICE_PROTOCOLS, 'Protocol spoken to the targets: http, https, tgrpc (docs/tgrpc.md; routes then need a `tgrpc` mapping) or grpc (docs/grpc.md; HTTP/JSON transcoded to gRPC); default "http".', 'http'),
  tgrpc: Section({
    connections_per_target: Type.Integer({ minimum: 1, maximum: 64, default: 2, description: 'TG-RPC connections kept open to each target; calls go to the least busy; default 2.' }),
    heartbeat_ms: TimeoutMs('Idle time before a PING; a connection silent for twice this is closed; default 5000.', 5_000),
    max_response_bytes: PositiveInt('Largest response body accepted from a target; default 16777216.', 16 * 1024 * 1024, 1024 * 1024 * 1024),
    tls: Flag('Call the targets over TLS (certificate checked as the service\'s tls section says); default false: plain TCP.', false)
  }, 'TG-RPC client settings (protocol tgrpc only); default {}.'),
  grpc: Section({
    proto: Type.Optional(Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024, description: '.proto text of the called services (one of proto, protos, proto_files, descriptor_set, descriptor_set_file); default none.' })),
    protos: Type.Optional(Type.Array(Type.Object({
      name: Type.String({ minLength: 1, maxLength: 1024, description: 'The name imports use for this file, e.g. "shop/v1/orders.proto"; required.' }),
      text: Type.String({ minLength: 1, maxLength: 4 * 1024 * 1024, description: 'The .proto text; required.' })
    }, { additionalProperties: false }), { minItems: 1, description: '.proto files inline by import name (the form proto and proto_files are normalised to on load); default none.' })),
    proto_files: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: '.proto files, relative to the config file; their imports are looked up in import_paths and beside them; default none.' })),
    import_paths: Type.Array(Type.String({ minLength: 1 }), { default: [], description: 'Folders where imports of the .proto texts are found, relative to the config file; default [].' }),
    descriptor_set: Type.Optional(Type.String({ minLength: 1, pattern: '^[A-Za-z0-9+/]+={0,2}$', description: 'A FileDescriptorSet (protoc --include_imports --descriptor_set_out) in base64; default none.' })),
    descriptor_set_file: Type.Optional(Type.String({ minLength: 1, description: 'A FileDescriptorSet file, relative to the config file; default none.' })),
    services: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, uniqueItems: true, description: 'Full names of the services whose google.api.http annotations route requests; default every service in the definitions.' })),
    forward_headers: Type.Array(Type.String({ pattern: HEADER_NAME_PATTERN }), { default: [], description: 'Request headers sent along as call metadata (lower-cased); default [].' }),
    ignored_query_parameters: Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { default: [], description: 'Query parameters that fill no request field and are not refused (e.g. an API key); default [].' }),
    max_response_bytes: PositiveInt('Largest response message accepted from a target; default 16777216.', 16 * 1024 * 1024, 1024 * 1024 * 1024),
    tls: Flag('Call the targets over TLS (certificate checked as the service\'s tls section says); default false: plain-text HTTP/2.', false)
  }, 'gRPC definitions and call settings (protocol grpc only); default {}.'),
  targets: Type.Array(TargetSchema, { minItems: 1, description: 'Backends, at least one; required.' }),
  balancer: StringEnum(BALANCERS, 'How a target is picked: p2c-peak-ewma, least-connections, round-robin or consistent-hash; default "p2c-peak-ewma".', 'p2c-peak-ewma'),
  hash_on: StringEnum(HASH_ON, 'consistent-hash key: client ip, merchant id, a header or the path (ip when the key is missing); default "ip".', 'ip'),
  hash_header: Type.Optional(Type.String({ pattern: HEADER_NAME_PATTERN, description: 'Header hashed on when hash_on is "header" (required then); default none.' })),
  ewma_decay_ms: TimeoutMs('p2c-peak-ewma: time constant of the latency cost decay, ms; default 10000.', 10_000),
  ewma_error_penalty_ms: Type.Optional(Type.Integer({ minimum: 0, maximum: 86_400_000, description: 'p2c-peak-ewma: least latency a failed attempt counts as, ms; default timeouts.read_ms.' })),
  timeouts: Section({
    connect_ms: TimeoutMs('Time to open a connection (and finish TLS) to a target; default 2000.', 2_000),
    send_ms: TimeoutMs('Time to write the request to the target; default 10000.', 10_000),
    read_ms: TimeoutMs('Longest wait for the response head, and between body chunks (grpc: a unary call\'s deadline, a server stream\'s longest wait between messages); default 30000.', 30_000)
  }, 'Upstream timeouts in milliseconds; default {}.'),
  passive_health: Section({
    enabled: Flag('Eject targets that keep failing (connect errors, resets, timeouts, 502/503/504); default true.', true),
    consecutive_failures: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 5, description: 'Failures in a row that eject a target, 0 for none; default 5.' }),
    failure_rate_percent: Percent('Failure share over window_ms (with min_requests) that ejects a target, 0 for none; default 50.', 50),
    window_ms: Type.Integer({ minimum: 1000, maximum: 60_000, default: 10_000, description: 'Window of the failure rate, ms, counted in whole seconds (1000..60000); default 10000.' }),
    min_requests: PositiveInt('Least attempts in the window before the failure rate counts; default 50.', 50, 1_000_000_000),
    base_ejection_ms: TimeoutMs('Ejection length per time the target was ejected, ms; default 30000.', 30_000),
    max_ejection_ms: TimeoutMs('Longest ejection before jitter, ms (at least base_ejection_ms); default 300000.', 300_000),
    ejection_jitter_ms: OptionalMs('Up to this much random time is added to each ejection, ms; default 5000.', 5_000),
    max_ejected_percent: Percent("Most of the service's targets ejected at once, percent, but always at least one; default 10.", 10)
  }, 'Passive health: outlier ejection from the answers of real requests; default {}.'),
  health_checks: Section({
    active: Type.Optional(Type.Object({
      path: Type.Optional(Type.String({ pattern: '^/[^\\s]*$', maxLength: 2048, description: 'http/https: path (and query) requested on each target; default "/health".' })),
      interval_ms: TimeoutMs('Time between two checks of one target, ms; default 5000.', 5_000),
      timeout_ms: TimeoutMs('A check not answered in this long failed, ms; default 1000.', 1_000),
      healthy_threshold: PositiveInt('Successes in a row that bring a down target back; default 2.', 2, 1000),
      unhealthy_threshold: PositiveInt('Failures in a row that take a target down; default 3.', 3, 1000),
      expected_statuses: Type.Optional(Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), { minItems: 1, uniqueItems: true, description: 'http/https: statuses that count as healthy; default [200].' })),
      https: Type.Optional(Type.Boolean({ description: 'http/https: check over HTTPS (TLS as the service\'s tls section says); default true when the protocol is https.' })),
      host: Type.Optional(Host('http/https: Host header of the checks; default the target host and port.')),
      grpc_service: Type.Optional(Type.String({ maxLength: 255, description: 'grpc: the service named in grpc.health.v1.Health/Check; default "" (the whole server).' })),
      tgrpc_service: Type.Optional(Type.String({ maxLength: 255, description: 'tgrpc: the service named in the tgrpc.health/check call (docs/tgrpc.md); default "" (the whole server).' }))
    }, { additionalProperties: false, description: 'Active checks, run once per node by the primary in the service\'s protocol (HTTP GET, the TG-RPC health method, gRPC Health/Check): a target failing unhealthy_threshold checks in a row is taken out of every worker until healthy_threshold checks pass; default none.' }))
  }, 'Health checks of the targets; default {} (no active checks).'),
  panic_threshold_percent: Percent('Under this percent of healthy targets, ejection is ignored and every target used (panic mode), 0 for never; default 50.', 50),
  slow_start_ms: OptionalMs("A target joining the running service or back from ejection ramps from 10 % to its full weight over this long, ms, 0 for off (not for consistent-hash); default 30000.", 30_000),
  retries: Section({
    count: Type.Integer({ minimum: 0, maximum: 10, default: 1, description: 'Further attempts on other targets after a failed one, 0 for none; default 1.' }),
    on_statuses: Type.Array(Type.Integer({ minimum: 500, maximum: 599 }), { uniqueItems: true, default: [], description: 'Upstream statuses retried like a reset (idempotent requests with a replayable body only); default [].' }),
    budget_percent: Percent('Retries allowed per service, percent of its requests over the last 10 s (plus budget_min_per_second); default 20.', 20),
    budget_min_per_second: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 10, description: 'Retries per second always allowed whatever the request count; default 10.' })
  }, 'Retries on another target; default {}.'),
  path: Type.String({
    pattern: BASE_PATH_PATTERN,
    default: '',
    description: 'Base path prefixed to the upstream request path (a trailing "/" is dropped on load); default "".'
  }),
  tls: Section({
    verify: Flag('Verify the target certificate; default true.', true),
    servername: Type.Optional(Type.String({ minLength: 1, description: 'SNI name and name to verify; default the target host.' })),
    ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of trusted CAs, relative to the config file; default the system CAs.' })),
    cert_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM client certificate (chain) shown to targets that ask for one (mTLS), relative to the config file; with key_file; default none.' })),
    key_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM private key of cert_file, relative to the config file; with cert_file; default none.' }))
  }, 'TLS to the targets (https, grpc with grpc.tls, tgrpc with tgrpc.tls) and their active checks; default {}.'),
  dns: Section({
    family: StringEnum(DNS_FAMILIES, 'Addresses a target host name resolves to: ipv4 (A records), ipv6 (AAAA) or any (both); default "ipv4".', 'ipv4'),
    ttl_min_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 1, description: 'An answer is kept at least this long, whatever its TTL, seconds; default 1.' }),
    ttl_max_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 3600, description: 'An answer is kept at most this long, whatever its TTL, seconds (at least ttl_min_s); default 3600.' }),
    stale_s: Type.Integer({ minimum: 0, maximum: 86_400, default: 300, description: 'While DNS fails, the last good answer is still used this long after it expired, seconds; default 300.' }),
    default_ttl_s: Type.Integer({ minimum: 1, maximum: 86_400, default: 30, description: 'TTL of an answer from the system resolver (hosts file, e.g. localhost), which gives none, seconds; default 30.' }),
    retry_s: Type.Integer({ minimum: 1, maximum: 3600, default: 5, description: 'After a failed resolution, the next try comes this long later, seconds; default 5.' })
  }, 'Resolution of target host names (IP addresses are used as they are): each address becomes a target; default {}.'),
  keepalive: Section({
    max_idle_per_target: Type.Integer({ minimum: 0, maximum: 100_000, default: 64, description: 'Idle connections kept per target; 0 disables keep-alive; default 64.' }),
    idle_timeout_ms: TimeoutMs('How long an idle upstream connection is kept; default 60000.', 60_000)
  }, 'Upstream connection pooling; default {}.')
}, { additionalProperties: false, description: 'A service: where matched requests are sent.' })

/** A service after schema validation (defaults applied). */
export type ServiceEntry = Static<typeof ServiceSchema>
/** One target after schema validation. */
export type TargetEntry = Static<typeof TargetSchema>
