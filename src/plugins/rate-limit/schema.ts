import { Type, type Static } from '@sinclair/typebox'

/**
 * A string enum as plain JSON Schema `enum` rather than TypeBox's `anyOf` of literals, so a bad
 * value yields one error at its path instead of one per alternative.
 */
function stringEnum<const T extends string> (values: readonly T[], options: { default: T, description: string }) {
  return Type.Unsafe<T>({ type: 'string', enum: [...values], ...options })
}

/** Policies that can hold the counters. `redis` and `cluster` (DESIGN.md §8) come later. */
export const RATE_LIMIT_POLICIES = ['local'] as const

/** The config of a rate-limit binding. */
export const rateLimitSchema = Type.Object({
  limit: Type.Integer({ minimum: 1, description: 'Requests admitted per window and key. Required.' }),
  window_seconds: Type.Integer({ minimum: 1, maximum: 86_400, default: 60, description: 'Length of the window in seconds. Default 60.' }),
  window: stringEnum(['fixed', 'sliding'], {
    default: 'sliding',
    description: 'fixed: count per window; sliding: weight the previous window by its overlap. Default "sliding".'
  }),
  limit_by: stringEnum(['merchant', 'route', 'merchant+route', 'ip'], {
    default: 'merchant',
    description: 'What one counter counts; without an identified merchant, merchant keys fall back to the client IP. Default "merchant".'
  }),
  policy: stringEnum(RATE_LIMIT_POLICIES, { default: 'local', description: 'Where counters live: local = this worker. Default "local".' }),
  headers: Type.Boolean({ default: true, description: 'Send RateLimit-Limit/-Remaining/-Reset headers. Default true.' })
}, { additionalProperties: false })

/** A validated rate-limit config (defaults applied). */
export type RateLimitConfig = Static<typeof rateLimitSchema>
