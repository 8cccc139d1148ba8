import { Type, type Static } from '@sinclair/typebox'
import { HEADER_NAME_PATTERN } from '../../config/schema/typedefs.js'

const WRITE_METHODS = ['POST', 'PUT', 'PATCH', 'DELETE'] as const
const STATUS_RANGE = '^[1-5](xx|[0-9]{2})$'
const HeaderName = (description: string, defaultValue: string) => Type.String({ pattern: HEADER_NAME_PATTERN, maxLength: 256, default: defaultValue, description })

/** The config of an idempotency binding. */
export const idempotencySchema = Type.Object({
  header: HeaderName('Request header carrying the idempotency key, any case. Default "idempotency-key".', 'idempotency-key'),
  replay_header: HeaderName('Response header set to "true" on a replayed response. Default "idempotent-replayed".', 'idempotent-replayed'),
  methods: Type.Array(Type.Unsafe<typeof WRITE_METHODS[number]>({ type: 'string', enum: [...WRITE_METHODS], description: 'A write method.' }), {
    default: [...WRITE_METHODS], minItems: 1, uniqueItems: true, description: 'Methods the key applies to; others pass untouched. Default POST, PUT, PATCH, DELETE.'
  }),
  ttl_seconds: Type.Integer({ minimum: 1, maximum: 30 * 86400, default: 86400, description: 'How long a stored response is replayed, in seconds. Default 86400 (24 h).' }),
  lock_ttl_ms: Type.Integer({ minimum: 100, maximum: 3_600_000, default: 60_000, description: 'How long a first request holds its key while in flight, in ms; keep it above the route\'s upstream timeouts. Default 60000.' }),
  max_key_length: Type.Integer({ minimum: 1, maximum: 1024, default: 255, description: 'Longest key accepted (400 past it). Default 255.' }),
  max_request_body_bytes: Type.Integer({ minimum: 0, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'Largest request body hashed to recognise a different request (413 past it). Default 1048576.' }),
  max_response_bytes: Type.Integer({ minimum: 0, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: 'Largest response body stored; a larger response is not stored and its key is released. Default 1048576.' }),
  store_statuses: Type.Array(Type.String({ pattern: STATUS_RANGE, description: 'A status ("201") or a class ("2xx").' }), {
    default: ['2xx', '4xx'], uniqueItems: true, description: 'Responses stored for replay. Default ["2xx", "4xx"].'
  }),
  skip_statuses: Type.Array(Type.Integer({ minimum: 100, maximum: 599 }), {
    default: [408, 409, 425, 429], uniqueItems: true, description: 'Statuses never stored (a retry should run again). Default [408, 409, 425, 429].'
  }),
  without_merchant: Type.Unsafe<'client-ip' | 'refuse'>({
    type: 'string', enum: ['client-ip', 'refuse'], default: 'client-ip',
    description: 'Scope of a key when no merchant was identified: the client address, or refuse with 403. Default "client-ip".'
  }),
  redis_failure: Type.Unsafe<'open' | 'closed'>({
    type: 'string', enum: ['open', 'closed'], default: 'open',
    description: 'When Redis is configured but fails: "open" lets the request through without idempotency (logged), "closed" answers 503. Default "open".'
  }),
  max_worker_bytes: Type.Integer({ minimum: 1024, maximum: 1024 * 1024 * 1024, default: 64 * 1024 * 1024, description: 'Memory bound of the per-worker store (used without Redis), in bytes. Default 67108864.' })
}, { additionalProperties: false })

/** A validated idempotency config (defaults applied). */
export type IdempotencyConfig = Static<typeof idempotencySchema>
