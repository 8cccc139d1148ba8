import { Type, type Static } from '@sinclair/typebox'
import { bodyRulesSchema, headerRulesSchema, maxBodyBytesSchema, queryRulesSchema } from '../_shared/transform/schema.js'

/** The config of a request-transformer binding: rules for headers, query and JSON body. */
export const requestTransformerSchema = Type.Object({
  headers: headerRulesSchema,
  query: queryRulesSchema,
  body: bodyRulesSchema,
  max_body_bytes: maxBodyBytesSchema('request')
}, { additionalProperties: false })

/** A validated request-transformer config (defaults applied). */
export type RequestTransformerConfig = Static<typeof requestTransformerSchema>
