/** A route: which requests (hosts, methods, paths) go to which service. */
import { Type, type Static } from '@sinclair/typebox'
import { Flag, HEADER_NAME_PATTERN, HostnamePattern, HttpMethod, Id, PATH_PATTERN_PATTERN } from './typedefs.js'

/** A timeout override in ms, 1 ms .. 1 day, with no default: left out, the service's applies. */
const TimeoutOverride = (name: string) => Type.Optional(Type.Integer({ minimum: 1, maximum: 86_400_000, description: `Overrides the service's timeouts.${name} on this route, ms; default the service's.` }))

/** How a route's HTTP requests become TG-RPC calls (services with protocol tgrpc). */
export const RouteTgRpcSchema = Type.Object({
  service: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f]+$', description: 'RPC service name sent in the call; required.' }),
  method: Type.String({ minLength: 1, maxLength: 255, pattern: '^[^\\u0000-\\u001f]+$', description: 'RPC method name sent in the call; required.' }),
  path_params: Type.Optional(Type.String({ pattern: '^/', maxLength: 2048, description: 'Template of the request path naming its parameters, e.g. "/orders/{order_id}"; each is sent as header "p-<name>"; default none.' })),
  forward_headers: Type.Array(Type.String({ pattern: HEADER_NAME_PATTERN }), { default: [], description: 'Request headers sent along as "h-<name>" entries; default [].' }),
  forward_query: Flag('Send each query parameter as a "q-<name>" entry; default true.', true)
}, { additionalProperties: false, description: 'The TG-RPC call a route makes.' })

/** How a route's HTTP requests become calls of one gRPC method (services with protocol grpc). */
export const RouteGrpcSchema = Type.Object({
  service: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z_][A-Za-z0-9_.]*$', description: 'Full name of the gRPC service, e.g. "shop.v1.Orders"; required.' }),
  method: Type.String({ minLength: 1, maxLength: 255, pattern: '^[A-Za-z_][A-Za-z0-9_]*$', description: 'Method of the service, unary or server-streaming (its messages are sent as NDJSON lines); required.' }),
  path: Type.Optional(Type.String({ pattern: '^/', maxLength: 2048, description: 'Path template whose variables fill request fields, e.g. "/v1/orders/{order_id}" or "/v1/{name=shelves/*}"; default none.' })),
  body: Type.String({ maxLength: 255, default: '*', description: 'What the request body fills: "*" the whole request message, a field name, or "" for no body (query parameters fill fields then); default "*".' }),
  response_body: Type.Optional(Type.String({ minLength: 1, maxLength: 255, description: 'A response field sent as the whole response body; default the whole response message.' }))
}, { additionalProperties: false, description: 'The gRPC call a route makes (otherwise the service\'s google.api.http annotations decide).' })

/** A route (`routes:` in the file). */
export const RouteSchema = Type.Object({
  id: Id('Unique id of the route; required.'),
  service: Id('Id of the service requests are sent to; required.'),
  hosts: Type.Optional(Type.Array(HostnamePattern('Host to match: exact or "*.example.com" (lower-cased on load).'), {
    minItems: 1,
    description: 'Hosts to match, exact or "*." wildcard; default any host.'
  })),
  methods: Type.Optional(Type.Array(HttpMethod('Method to match (upper-cased on load).'), {
    minItems: 1,
    description: 'Methods to match; default any method.'
  })),
  paths: Type.Array(Type.String({
    pattern: PATH_PATTERN_PATTERN,
    maxLength: 2048,
    description: '"/exact", "/prefix/*" (prefix at a segment boundary) or "~regex".'
  }), { minItems: 1, description: 'Path patterns, at least one; required.' }),
  strip_path: Flag('Remove the matched prefix before proxying ("/prefix/*" paths); default false.', false),
  preserve_host: Flag('Send the client Host header upstream instead of the target host; default false.', false),
  timeouts: Type.Optional(Type.Object({
    connect_ms: TimeoutOverride('connect_ms'),
    send_ms: TimeoutOverride('send_ms'),
    read_ms: TimeoutOverride('read_ms')
  }, { additionalProperties: false, description: "Upstream timeouts of this route in milliseconds, each overriding the service's; default the service's." })),
  retryable: Flag('Requests of any method may be retried on another target after a reset before the response head, a send/read timeout or a status in the service\'s retries.on_statuses (the body is buffered for that); default false: only idempotent methods are.', false),
  tgrpc: Type.Optional(RouteTgRpcSchema),
  grpc: Type.Optional(RouteGrpcSchema),
  priority: Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, default: 0, description: 'Higher wins when several routes match equally; default 0.' })
}, { additionalProperties: false, description: 'A route: requests it matches and the service they go to.' })

/** A route after schema validation (defaults applied). */
export type RouteEntry = Static<typeof RouteSchema>
