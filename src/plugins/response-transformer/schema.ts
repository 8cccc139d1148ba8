import { Type, type Static } from '@sinclair/typebox'
import { bodyRulesSchema, headerRulesSchema, maxBodyBytesSchema } from '../_shared/transform/schema.js'

/** The config of a response-transformer binding: rules for the response headers and JSON body. */
export const responseTransformerSchema = Type.Object({
  headers: headerRulesSchema,
  body: bodyRulesSchema,
  max_body_bytes: maxBodyBytesSchema('upstream response')
}, { additionalProperties: false })

/** A validated response-transformer config (defaults applied). */
export type ResponseTransformerConfig = Static<typeof responseTransformerSchema>
