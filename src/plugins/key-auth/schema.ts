import { Type, type Static } from '@sinclair/typebox'

/** A header or query parameter name: a non-empty HTTP token (no spaces or separators, which could never match). */
const NAME = { maxLength: 128, pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$' }

/** The config of a key-auth binding. */
export const keyAuthSchema = Type.Object({
  key_names: Type.Array(Type.String({ ...NAME, description: 'A header that may carry the API key; matched case-insensitively.' }), {
    default: ['apikey', 'x-api-key'],
    uniqueItems: true,
    maxItems: 16,
    description: 'Headers searched for the API key, in order; the first present wins. Default ["apikey", "x-api-key"].'
  }),
  query_names: Type.Array(Type.String({ ...NAME, description: 'A query parameter that may carry the API key; case-sensitive.' }), {
    default: ['apikey'],
    uniqueItems: true,
    maxItems: 16,
    description: 'Query parameters searched for the API key when key_in_query is true, after the headers. Default ["apikey"].'
  }),
  key_in_query: Type.Boolean({
    default: true,
    description: 'Whether the API key may come from the query string. Default true.'
  }),
  hide_credentials: Type.Boolean({
    default: true,
    description: 'Remove every configured key header and query parameter before proxying. Default true.'
  })
}, { additionalProperties: false })

/** A validated key-auth config (defaults applied). */
export type KeyAuthConfig = Static<typeof keyAuthSchema>
