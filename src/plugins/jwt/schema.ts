import { Type, type Static } from '@sinclair/typebox'
import { JWT_ALGORITHMS } from '../../config/schema/merchant.js'
import { StringEnum } from '../../config/schema/typedefs.js'

/** A claim name (`sub`, `merchant_id`, a namespaced URI claim). */
const ClaimName = (description: string) => Type.String({ minLength: 1, maxLength: 256, description })

/** The config of a jwt binding. */
export const jwtSchema = Type.Object({
  header: Type.String({
    minLength: 1,
    maxLength: 128,
    pattern: '^[!#$%&\'*+.^_`|~0-9a-zA-Z-]+$',
    default: 'authorization',
    description: 'Request header carrying the token; a "Bearer " prefix is taken off (required in Authorization). Default "authorization".'
  }),
  query_param: Type.Optional(Type.String({ minLength: 1, maxLength: 128, description: 'Query parameter also looked at when the header is absent (e.g. "access_token"). Default none.' })),
  cookie: Type.Optional(Type.String({ minLength: 1, maxLength: 128, pattern: '^[!#$%&\'*+.^_`|~0-9a-zA-Z-]+$', description: 'Cookie also looked at when the header and query parameter are absent. Default none.' })),
  algorithms: Type.Array(StringEnum(JWT_ALGORITHMS, 'A signature algorithm.'), {
    default: [...JWT_ALGORITHMS],
    minItems: 1,
    uniqueItems: true,
    description: 'Algorithms accepted in the token header; `none` never is. Default all of HS256/384/512, RS*, PS*, ES256/384, EdDSA.'
  }),
  merchant_claim: Type.String({ minLength: 1, maxLength: 256, default: 'sub', description: 'Claim whose (string) value is the merchant id. Default "sub".' }),
  merchant_keys: Type.Boolean({
    default: true,
    description: 'Verify with the keys of the merchant the token names (merchants[].credentials.jwt_keys). Default true.'
  }),
  jwks_urls: Type.Array(Type.String({ pattern: '^https?://[^\\s/?#@]+(/[^\\s]*)?$', maxLength: 2048, description: 'A JWKS document URL (http or https).' }), {
    default: [],
    maxItems: 8,
    uniqueItems: true,
    description: 'JWKS documents of issuers whose keys verify tokens of any merchant. Default [].'
  }),
  jwks_ttl_seconds: Type.Integer({ minimum: 10, maximum: 86_400, default: 300, description: 'A JWKS document is fetched again this long after the last good fetch. Default 300.' }),
  jwks_refresh_interval_seconds: Type.Integer({
    minimum: 1,
    maximum: 3600,
    default: 30,
    description: 'At most one early fetch per URL in this interval when a token names an unknown kid (so forged kids cannot hammer the issuer). Default 30.'
  }),
  jwks_timeout_ms: Type.Integer({ minimum: 100, maximum: 30_000, default: 3000, description: 'Timeout of one JWKS fetch. Default 3000.' }),
  issuers: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { default: [], uniqueItems: true, description: 'Accepted `iss` values; empty: any (and `iss` may be absent). Default [].' }),
  audiences: Type.Array(Type.String({ minLength: 1, maxLength: 2048 }), { default: [], uniqueItems: true, description: 'Accepted `aud` values (one must match); empty: not checked. Default [].' }),
  required_claims: Type.Array(ClaimName('A claim that must be present.'), { default: ['exp'], uniqueItems: true, description: 'Claims a token must carry. Default ["exp"]: tokens without an expiry are refused.' }),
  clock_skew_seconds: Type.Integer({ minimum: 0, maximum: 600, default: 60, description: 'Leeway applied to exp and nbf. Default 60.' }),
  hide_credentials: Type.Boolean({ default: false, description: 'Remove the token (header, query parameter or cookie) before proxying. Default false.' })
}, { additionalProperties: false })

/** A validated jwt config (defaults applied). */
export type JwtConfig = Static<typeof jwtSchema>
