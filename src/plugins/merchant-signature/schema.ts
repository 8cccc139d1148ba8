import { Type, type Static } from '@sinclair/typebox'

/**
 * The schemes a binding can accept: the default `tg-hmac-sha256` (headers), and the JD/TOP
 * compatibility schemes named by their `sign_method` value (`md5` is JD's and TOP's alike).
 */
export const SIGNATURE_SCHEMES = ['tg-hmac-sha256', 'md5', 'hmac', 'hmac-sha256'] as const
export type SignatureScheme = typeof SIGNATURE_SCHEMES[number]

/** The config of a merchant-signature binding. */
export const merchantSignatureSchema = Type.Object({
  schemes: Type.Array(Type.Unsafe<SignatureScheme>({
    type: 'string',
    enum: [...SIGNATURE_SCHEMES],
    description: 'A scheme requests may be signed with: tg-hmac-sha256, or the JD/TOP compatibility md5, hmac, hmac-sha256.'
  }), {
    default: ['tg-hmac-sha256'],
    minItems: 1,
    uniqueItems: true,
    description: 'Schemes accepted; compatibility schemes are only looked for when listed. Default ["tg-hmac-sha256"].'
  }),
  clock_skew_seconds: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 300,
    description: 'A signature timestamp may differ from the gateway clock by at most this many seconds, either way. Default 300.'
  }),
  nonce_cache_size: Type.Integer({
    minimum: 1000,
    maximum: 10_000_000,
    default: 100_000,
    description: 'Nonces each worker remembers (LRU) for replay protection; the oldest are forgotten first. Default 100000.'
  }),
  nonce_redis_failure: Type.Unsafe<'open' | 'closed'>({
    type: 'string',
    enum: ['open', 'closed'],
    default: 'open',
    description: 'With gateway.redis set but unreachable: open = check nonces in the worker LRU alone; closed = refuse signed requests (503). Default "open".'
  }),
  compat_utc_offset_minutes: Type.Integer({
    minimum: -720,
    maximum: 840,
    default: 480,
    description: 'UTC offset of compatibility timestamps in "yyyy-MM-dd HH:mm:ss" form (JD and TOP use GMT+8). Default 480.'
  }),
  hide_credentials: Type.Boolean({
    default: true,
    description: 'Remove the X-Tg-AppKey, X-Tg-Timestamp, X-Tg-Nonce and X-Tg-Signature headers before proxying. Default true.'
  })
}, { additionalProperties: false })

/** A validated merchant-signature config (defaults applied). */
export type MerchantSignatureConfig = Static<typeof merchantSignatureSchema>
