import { JsonSyntaxError, scan } from '../../codec/json/index.js'
import { GatewayError } from '../../errors.js'
import type { PluginContext } from '../../kit/context.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { applyHeaderRules, compileHeaderRules, type HeaderRules } from '../_shared/transform/header-rules.js'
import { applyBodyRules, compileBodyRules, isJsonContentType, type BodyRules } from '../_shared/transform/json-rules.js'
import { applyQueryRules, compileQueryRules, type QueryRules } from './query-rules.js'
import { requestTransformerSchema, type RequestTransformerConfig } from './schema.js'

export interface RequestTransformerState {
  readonly headers: HeaderRules
  readonly query: QueryRules
  readonly body: BodyRules
  readonly maxBodyBytes: number
}

/** Whether the body rules apply: there are some, the request declares JSON and carries a body. */
function needsBody (ctx: PluginContext, state: RequestTransformerState): boolean {
  const request = ctx.request
  return state.body.any && request.bodyLength !== 0 && isJsonContentType(request.headers.get('content-type'))
}

/** The 400 for a body the rules need that is not JSON, with the codec's position. */
function invalidJson (error: JsonSyntaxError): Reply {
  return errorReply('TG_REQUEST_BODY_INVALID_JSON', undefined, `the request body is not valid JSON: ${error.message} [${error.code}]`)
}

async function transformBody (ctx: PluginContext, state: RequestTransformerState): Promise<Reply | undefined> {
  let body: Buffer
  try {
    body = await ctx.request.readBody(state.maxBodyBytes)
  } catch (error) {
    if (error instanceof GatewayError) return errorReply(error.code, undefined, error.message)
    throw error
  }
  // A body an earlier plugin read was read under the listener's limit, not this one.
  if (body.length > state.maxBodyBytes) return errorReply('TG_REQUEST_BODY_TOO_LARGE')
  let doc
  try {
    doc = scan(body, { maxBytes: Infinity })
  } catch (error) {
    if (error instanceof JsonSyntaxError) return invalidJson(error)
    throw error
  }
  if (applyBodyRules(state.body, doc)) ctx.request.replaceBody(Buffer.from(doc.emit()))
  return undefined
}

/**
 * request-transformer: rewrites the request on its way upstream: headers, query parameters, and
 * fields of a JSON body through the lossless codec (bytes outside the edited fields unchanged).
 * Runs in the content phase, after authentication and signature checks saw the request as sent.
 * A body is read only when body rules exist and the request declares JSON; otherwise it streams.
 */
export const requestTransformer = definePlugin({
  name: 'request-transformer',
  version: '1.0.0',
  priority: PRIORITY.transformation + 100,
  schema: requestTransformerSchema,

  compile (config: RequestTransformerConfig): RequestTransformerState {
    return {
      headers: compileHeaderRules(config.headers),
      query: compileQueryRules(config.query),
      body: compileBodyRules(config.body),
      maxBodyBytes: config.max_body_bytes
    }
  },

  content (ctx, state) {
    const request = ctx.request
    // Decided on the Content-Type the client sent, before a header rule may change it.
    const bodyToo = needsBody(ctx, state)
    if (state.headers.any) applyHeaderRules(state.headers, request.headers)
    if (state.query.any) request.query = applyQueryRules(state.query, request.query)
    if (!bodyToo) return undefined
    return transformBody(ctx, state)
  }
})
