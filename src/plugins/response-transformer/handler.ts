import { JsonSyntaxError, scan } from '../../codec/json/index.js'
import type { GatewayResponse, PluginContext } from '../../kit/context.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { applyHeaderRules, compileHeaderRules, type HeaderRules } from '../_shared/transform/header-rules.js'
import { applyBodyRules, compileBodyRules, isJsonContentType, type BodyRules } from '../_shared/transform/json-rules.js'
import { BodyBuffer } from './body-buffer.js'
import { malformedPassedThrough } from './metrics.js'
import { responseTransformerSchema, type ResponseTransformerConfig } from './schema.js'

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** The response body response-transformer holds back for its body rules (set only when it does). */
    responseTransformerBody?: BodyBuffer
  }
}

export interface ResponseTransformerState {
  readonly headers: HeaderRules
  readonly body: BodyRules
  readonly maxBodyBytes: number
}

/** Statuses whose responses never have a body (RFC 9110 §6.4.1). */
function bodyless (status: number): boolean {
  return status < 200 || status === 204 || status === 304
}

/**
 * Whether the body rules apply to this response: proxied, JSON, with a body, not compressed
 * (editing needs the JSON bytes), and not declared larger than the cap.
 */
function editsBody (ctx: PluginContext, response: GatewayResponse, state: ResponseTransformerState): boolean {
  if (!state.body.any || response.generated || ctx.request.method === 'HEAD' || bodyless(response.status)) return false
  const headers = response.headers
  if (!isJsonContentType(headers.get('content-type'))) return false
  const encoding = headers.get('content-encoding')
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false
  const length = headers.get('content-length')
  return length === undefined || (Number(length) > 0 && Number(length) <= state.maxBodyBytes)
}

/**
 * The edited body, or the body as received when it is not JSON: a malformed upstream body is the
 * upstream's answer to its client, so it is passed through and logged rather than turned into a
 * gateway error (the head is already on the wire by now anyway).
 */
function transform (ctx: PluginContext, state: ResponseTransformerState, body: Buffer): Buffer {
  if (body.length === 0) return body
  try {
    const doc = scan(body, { maxBytes: Infinity })
    return applyBodyRules(state.body, doc) ? Buffer.from(doc.emit()) : body
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error
    malformedPassedThrough.inc()
    ctx.log.warn({ plugin: 'response-transformer', code: error.code, offset: error.offset, upstream_status: ctx.response?.status }, 'upstream JSON body is malformed: passed through unchanged')
    return body
  }
}

/**
 * response-transformer: rewrites the response on its way back: header fields, and fields of a JSON
 * body through the lossless codec. Only a JSON response under the cap is held back and edited; any
 * other streams untouched.
 */
export const responseTransformer = definePlugin({
  name: 'response-transformer',
  version: '1.0.0',
  priority: PRIORITY.transformation,
  schema: responseTransformerSchema,

  compile (config: ResponseTransformerConfig): ResponseTransformerState {
    return { headers: compileHeaderRules(config.headers), body: compileBodyRules(config.body), maxBodyBytes: config.max_body_bytes }
  },

  headerFilter (ctx, state) {
    const response = ctx.response
    if (response === undefined) return
    // Decided on the upstream's own headers, before a header rule may change them.
    const edits = editsBody(ctx, response, state)
    if (state.headers.any) applyHeaderRules(state.headers, response.headers)
    if (!edits) return
    ctx.slots.responseTransformerBody = new BodyBuffer(state.maxBodyBytes)
    // The edited length is known only at the end: the ingress frames the body (chunked).
    response.headers.delete('content-length')
  },

  bodyFilter (ctx, state, chunk, last) {
    const held = ctx.slots.responseTransformerBody
    if (held === undefined) return undefined
    const out = held.push(chunk)
    if (!last || held.overflowed) return out
    return transform(ctx, state, held.take())
  }
})
