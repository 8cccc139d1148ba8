import type { GatewayRequest } from '../../kit/context.js'
import type { HeaderList } from '../../kit/headers.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { requestGuardSchema, type RequestGuardConfig } from './schema.js'

/** Content types admitted, split once at compile so the request path does no parsing of the config. */
export interface ContentTypeRule {
  /** Exact media types, lower case (`application/json`). */
  readonly exact: ReadonlySet<string>
  /** Ranges as their `type/` prefix, lower case (`text/` for `text/*`). */
  readonly prefixes: readonly string[]
  /** The range of every type (`*` slash `*`) was listed: any declared content type passes, a missing one does not. */
  readonly any: boolean
}

/** What request-guard compiles a binding's config into; a check that is off is undefined or 0. */
export interface RequestGuardState {
  readonly methods: ReadonlySet<string> | undefined
  /** The Allow header of a 405 (RFC 9110 §15.5.6 requires it). */
  readonly allowHeader: string
  readonly maxBodyBytes: number
  readonly maxHeaderCount: number
  readonly maxHeaderBytes: number
  readonly maxUrlBytes: number
  readonly contentTypes: ContentTypeRule | undefined
  readonly userAgents: readonly RegExp[] | undefined
  readonly referers: readonly RegExp[] | undefined
}

/** Methods whose requests carry a body by convention: the content type rule applies even to an empty one. */
const BODY_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH'])

/** Per field on the wire: ': ' between name and value and the CRLF after it. */
const FIELD_OVERHEAD_BYTES = 4

/**
 * Patterns are compiled once here, never per request. Case-insensitive because user agents and
 * referer hosts are written in any case; no `g` flag, so `test()` keeps no state between requests.
 */
function compilePatterns (patterns: readonly string[]): RegExp[] | undefined {
  return patterns.length === 0 ? undefined : patterns.map((pattern) => new RegExp(pattern, 'i'))
}

function compileContentTypes (ranges: readonly string[]): ContentTypeRule | undefined {
  if (ranges.length === 0) return undefined
  const exact = new Set<string>()
  const prefixes: string[] = []
  let any = false
  for (const range of ranges) {
    const lower = range.toLowerCase()
    if (lower === '*/*') any = true
    else if (lower.endsWith('/*')) prefixes.push(lower.slice(0, -1))
    else exact.add(lower)
  }
  return { exact, prefixes, any }
}

/**
 * Whether path + '?' + query is longer than `max` UTF-8 bytes, without encoding in the common cases:
 * a UTF-16 code unit takes 1 to 3 bytes, so `length > max` is always too long and
 * `3 × length <= max` never is.
 */
function urlTooLong (request: GatewayRequest, max: number): boolean {
  const { path, query } = request
  const length = path.length + (query === '' ? 0 : 1 + query.length)
  if (length > max) return true
  if (length * 3 <= max) return false
  return Buffer.byteLength(path) + (query === '' ? 0 : 1 + Buffer.byteLength(query)) > max
}

function headerBytes (headers: HeaderList): number {
  let total = 0
  headers.forEach((value, name) => { total += name.length + value.length + FIELD_OVERHEAD_BYTES })
  return total
}

function matchesAny (patterns: readonly RegExp[], value: string | undefined): boolean {
  if (value === undefined) return false
  for (const pattern of patterns) if (pattern.test(value)) return true
  return false
}

/** Whether the declared content type is admitted; the media type is compared without parameters. */
function contentTypeAccepted (rule: ContentTypeRule, header: string | undefined): boolean {
  if (header === undefined) return false
  const semicolon = header.indexOf(';')
  const media = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  if (media === '') return false
  if (rule.any || rule.exact.has(media)) return true
  for (const prefix of rule.prefixes) if (media.startsWith(prefix)) return true
  return false
}

/** A request carries a body unless its declared length is 0 (undefined means chunked). */
function carriesBody (request: GatewayRequest): boolean {
  return request.bodyLength !== 0 || BODY_METHODS.has(request.method)
}

/**
 * request-guard: the security checks a merchant gateway applies before anything else. In order:
 * method (405), URL length (414), header count and size (431), user-agent and referer deny
 * patterns (403), content type (415), body size (413: a declared Content-Length up front, a
 * chunked body while it streams to the upstream, without buffering it).
 */
export const requestGuard = definePlugin({
  name: 'request-guard',
  version: '1.0.0',
  // Above every other security plugin: cheap refusals come before address lists and authentication.
  priority: PRIORITY.security + 100,
  schema: requestGuardSchema,

  compile (config: RequestGuardConfig): RequestGuardState {
    return {
      methods: config.allowed_methods.length === 0 ? undefined : new Set(config.allowed_methods),
      allowHeader: config.allowed_methods.join(', '),
      maxBodyBytes: config.max_body_bytes,
      maxHeaderCount: config.max_header_count,
      maxHeaderBytes: config.max_header_bytes,
      maxUrlBytes: config.max_url_bytes,
      contentTypes: compileContentTypes(config.allowed_content_types),
      userAgents: compilePatterns(config.deny_user_agents),
      referers: compilePatterns(config.deny_referers)
    }
  },

  access (ctx, state): Reply | undefined {
    const request = ctx.request
    if (state.methods !== undefined && !state.methods.has(request.method)) {
      return errorReply('TG_METHOD_NOT_ALLOWED', { allow: state.allowHeader })
    }
    if (state.maxUrlBytes > 0 && urlTooLong(request, state.maxUrlBytes)) return errorReply('TG_REQUEST_URL_TOO_LONG')
    const headers = request.headers
    if (state.maxHeaderCount > 0 && headers.size > state.maxHeaderCount) return errorReply('TG_REQUEST_HEADERS_TOO_LARGE')
    if (state.maxHeaderBytes > 0 && headerBytes(headers) > state.maxHeaderBytes) return errorReply('TG_REQUEST_HEADERS_TOO_LARGE')
    if (state.userAgents !== undefined && matchesAny(state.userAgents, headers.get('user-agent'))) return errorReply('TG_REQUEST_USER_AGENT_DENIED')
    if (state.referers !== undefined && matchesAny(state.referers, headers.get('referer'))) return errorReply('TG_REQUEST_REFERER_DENIED')
    if (state.contentTypes !== undefined && carriesBody(request) && !contentTypeAccepted(state.contentTypes, headers.get('content-type'))) {
      return errorReply('TG_REQUEST_CONTENT_TYPE_UNSUPPORTED')
    }
    if (state.maxBodyBytes > 0) {
      const length = request.bodyLength
      if (length === undefined) request.limitBody(state.maxBodyBytes)
      else if (length > state.maxBodyBytes) return errorReply('TG_REQUEST_BODY_TOO_LARGE')
    }
    return undefined
  }
})
