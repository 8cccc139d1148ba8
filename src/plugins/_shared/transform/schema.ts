/**
 * Config pieces shared by request-transformer and response-transformer: header rules and JSON
 * body rules. Every list defaults to empty; rules apply in the order remove → rename → set → add.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox'
import { FORMAT, HEADER_NAME_PATTERN } from '../../../config/schema/typedefs.js'
import { BODY_PATH_PATTERN } from './body-path.js'

const MAX_RULES = 256

/** A header value: any text without CR, LF or NUL (they would split or end the field). */
const HeaderValue = Type.String({ pattern: '^[^\\r\\n\\u0000]*$', maxLength: 8192, description: 'The field value.' })
const HeaderName = Type.String({ pattern: HEADER_NAME_PATTERN, maxLength: 256, description: 'A header name, any case (compared case-insensitively).' })
const BodyPath = Type.String({ pattern: BODY_PATH_PATTERN, maxLength: 1024, description: 'A body path: keys joined by ".", "[n]" for an array index, ["key"] for a key with a dot or a bracket.' })

function rules<N extends TSchema, V extends TSchema> (name: N, value: V, what: string) {
  const list = <T extends TSchema>(item: T, description: string) => Type.Array(item, { default: [], maxItems: MAX_RULES, description })
  const pair = Type.Object({ name, value }, { additionalProperties: false })
  return Type.Object({
    remove: list(name, `${what} removed. Default [].`),
    rename: list(Type.Object({ from: name, to: name }, { additionalProperties: false }), `${what} renamed: the value moves from \`from\` to \`to\` (replacing \`to\`); nothing happens when \`from\` is absent. Default [].`),
    set: list(pair, `${what} set to the value, replacing any present. Default [].`),
    add: list(pair, `${what} added only when absent (an existing one is kept). Default [].`)
  }, { additionalProperties: false, default: {} })
}

/** Header rules (names compared case-insensitively). */
export const headerRulesSchema = rules(HeaderName, HeaderValue, 'Header fields')
export type HeaderRulesConfig = Static<typeof headerRulesSchema>

/** Query parameter rules (names compared after percent-decoding; new values are percent-encoded). */
export const queryRulesSchema = rules(
  Type.String({ minLength: 1, maxLength: 256, description: 'A query parameter name (decoded).' }),
  Type.String({ maxLength: 8192, description: 'The parameter value (decoded; percent-encoded when written).' }),
  'Query parameters'
)
export type QueryRulesConfig = Static<typeof queryRulesSchema>

/** A new body value: `value` (any JSON value from the config) or `json` (JSON text, for exact 64-bit numbers). */
const BodyValue = Type.Object({
  path: BodyPath,
  value: Type.Optional(Type.Unknown({ description: 'The value, as a YAML/JSON value of the config.' })),
  json: Type.Optional(Type.String({ format: FORMAT.json, maxLength: 65536, description: 'The value as JSON text, copied byte for byte (use it for numbers past 2^53, which YAML would round).' }))
}, { additionalProperties: false, oneOf: [{ required: ['value'] }, { required: ['json'] }] })
export type BodyValueConfig = Static<typeof BodyValue>

/** JSON body rules (paths in the body path syntax). */
export const bodyRulesSchema = Type.Object({
  remove: Type.Array(BodyPath, { default: [], maxItems: MAX_RULES, description: 'Fields removed; an absent one is skipped. Default [].' }),
  rename: Type.Array(Type.Object({ from: BodyPath, to: BodyPath }, { additionalProperties: false }), {
    default: [], maxItems: MAX_RULES, description: 'Fields moved from `from` to `to` (replacing `to`); skipped when `from` is absent or the parent of `to` is missing. Default [].'
  }),
  set: Type.Array(BodyValue, { default: [], maxItems: MAX_RULES, description: 'Fields set, replacing any present; skipped when the parent is missing. Default [].' }),
  add: Type.Array(BodyValue, { default: [], maxItems: MAX_RULES, description: 'Fields added only when absent; skipped when the parent is missing. Default [].' })
}, { additionalProperties: false, default: {} })
export type BodyRulesConfig = Static<typeof bodyRulesSchema>

/** The body size cap field; `what` says whose body. */
export function maxBodyBytesSchema (what: string) {
  return Type.Integer({ minimum: 1, maximum: 64 * 1024 * 1024, default: 1024 * 1024, description: `Largest ${what} body read for body rules, in bytes. Default 1048576 (1 MiB).` })
}
