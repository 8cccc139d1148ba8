import { Type, type Static } from '@sinclair/typebox'
import { WINDOW_UNITS } from './policies/windows.js'

/**
 * A string enum as plain JSON Schema `enum` rather than TypeBox's `anyOf` of literals, so a bad
 * value yields one error at its path instead of one per alternative.
 */
function stringEnum<const T extends string> (values: readonly T[], options: { default?: T, description: string }) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options })
}

/** Where counters live: `local` in this worker, `cluster` leased from Redis (DESIGN.md §8). */
export const RATE_LIMIT_POLICIES = ['local', 'cluster'] as const

/** A header name as RFC 9110 spells a token. */
const KEY_PART_PATTERN = "^(merchant|route|service|ip|header:[!#$%&'*+.^_`|~0-9A-Za-z-]+)$"

/** One limit of a binding. */
export const LimitSchema = Type.Object({
  limit: Type.Integer({ minimum: 1, description: 'Requests admitted per window and key. Required.' }),
  per: stringEnum(WINDOW_UNITS, {
    description: 'The window: second, minute, hour, day, or month (the calendar month in UTC, always counted fixed). Required.'
  })
}, { additionalProperties: false })

/** The config of a rate-limit binding. */
export const rateLimitSchema = Type.Object({
  limit: Type.Optional(Type.Integer({
    minimum: 1,
    description: 'Shorthand for one limit: requests per window_seconds. Either this or limits (or both) is required.'
  })),
  window_seconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60, description: 'Window of the `limit` shorthand, in seconds. Default 60.' }),
  limits: Type.Optional(Type.Array(LimitSchema, {
    minItems: 1,
    maxItems: 8,
    description: 'Several limits at once (e.g. 100 per second and 1000000 per month); a request must fit all. Default none.'
  })),
  window: stringEnum(['fixed', 'sliding'], {
    default: 'sliding',
    description: 'fixed: count per window; sliding: weight the previous window by its overlap (not for month). Default "sliding".'
  }),
  key_by: Type.Array(Type.String({ pattern: KEY_PART_PATTERN, description: 'merchant, route, service, ip, or header:<name>.' }), {
    minItems: 1,
    maxItems: 6,
    uniqueItems: true,
    default: ['merchant'],
    description: 'What one counter counts, combined when several; a missing merchant or header counts as the client IP. Default ["merchant"].'
  }),
  policy: stringEnum(RATE_LIMIT_POLICIES, {
    default: 'local',
    description: 'local = counters in each worker; cluster = tokens leased from gateway.redis, exact across nodes. Default "local".'
  }),
  headers: Type.Boolean({ default: true, description: 'Send RateLimit-Limit/-Remaining/-Reset/-Policy headers. Default true.' })
}, {
  additionalProperties: false,
  anyOf: [{ required: ['limit'] }, { required: ['limits'] }]
})

/** A validated rate-limit config (defaults applied). */
export type RateLimitConfig = Static<typeof rateLimitSchema>
