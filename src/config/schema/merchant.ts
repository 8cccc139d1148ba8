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
    secrets: Type.Array(SecretSchema, { default: [], description: 'Signing secrets (two may be active during rotation); default [].' })
  }, { additionalProperties: false, default: {}, description: 'Credentials; default {}.' })
}, { additionalProperties: false, description: 'A merchant and its credentials.' })

/** A merchant after schema validation (defaults applied; `name` may still be absent). */
export type MerchantEntry = Static<typeof MerchantSchema>
