/** A merchant: a caller of the public APIs, with its credentials. */
import { Type, type Static } from '@sinclair/typebox'
import { Id, StringEnum } from './typedefs.js'

/** Merchant states; a disabled merchant is refused by every authentication plugin. */
export const MERCHANT_STATUSES = ['active', 'disabled'] as const

/** An API key of a merchant (read by `key-auth`). */
export const ApiKeySchema = Type.Object({
  key: Type.String({ minLength: 8, maxLength: 512, description: 'The key, at least 8 characters, unique across merchants; required.' }),
  label: Type.Optional(Type.String({ maxLength: 128, description: 'Label for rotation and logs (which key was used); default none.' }))
}, { additionalProperties: false, description: 'An API key.' })

/** A signing secret of a merchant (read by signature plugins). */
export const SecretSchema = Type.Object({
  id: Id('Id of the secret, unique within the merchant (the app key of signature schemes); required.'),
  secret: Type.String({ minLength: 8, maxLength: 1024, description: 'The shared secret, at least 8 characters; required.' })
}, { additionalProperties: false, description: 'A signing secret.' })

/** JWT signature algorithms a merchant key may be declared for (`none` never is). */
export const JWT_ALGORITHMS = ['HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'] as const
export type JwtAlgorithm = typeof JWT_ALGORITHMS[number]

/**
 * A key a merchant signs its JWTs with (read by `jwt`): a shared `secret` for HS*, a
 * `public_key_pem` (SPKI or X.509 certificate) for the others; which one is required, and that the
 * PEM parses and suits the algorithm, is checked with the merchants (checks/merchants.ts).
 */
export const JwtKeySchema = Type.Object({
  kid: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Key id; when set, a token whose header names another kid is not tried with this key. Default none.' })),
  algorithm: StringEnum(JWT_ALGORITHMS, 'The one algorithm this key verifies (HS256/384/512, RS*, PS*, ES256/384, EdDSA); required.'),
  secret: Type.Optional(Type.String({ minLength: 32, maxLength: 4096, description: 'Shared secret of an HS* key, at least 32 characters (RFC 7518 §3.2: a key as long as the hash); HS* only.' })),
  public_key_pem: Type.Optional(Type.String({ minLength: 64, maxLength: 16384, description: 'PEM public key or certificate of an RS/PS/ES/EdDSA key; those only.' }))
}, { additionalProperties: false, description: 'A JWT verification key.' })

/** A merchant (`merchants:` in the file). */
export const MerchantSchema = Type.Object({
  id: Id('Unique id of the merchant; required.'),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 256, description: 'Display name; default the id.' })),
  status: StringEnum(MERCHANT_STATUSES, 'active or disabled; default "active".', 'active'),
  groups: Type.Array(Type.String({ minLength: 1, maxLength: 128, description: 'An ACL group name.' }), {
    default: [],
    description: 'ACL groups of the merchant; default [].'
  }),
  credentials: Type.Object({
    api_keys: Type.Array(ApiKeySchema, { default: [], description: 'API keys; default [].' }),
    secrets: Type.Array(SecretSchema, { default: [], description: 'Signing secrets (two may be active during rotation); default [].' }),
    jwt_keys: Type.Array(JwtKeySchema, { default: [], maxItems: 16, description: 'Keys the merchant\'s JWTs verify with (several during rotation); default [].' })
  }, { additionalProperties: false, default: {}, description: 'Credentials; default {}.' })
}, { additionalProperties: false, description: 'A merchant and its credentials.' })

/** A merchant after schema validation (defaults applied; `name` may still be absent). */
export type MerchantEntry = Static<typeof MerchantSchema>
