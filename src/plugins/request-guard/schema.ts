import { Type, type Static } from '@sinclair/typebox'

/** Methods request-guard can admit (RFC 9110 §9 and PATCH); upper case, as methods are case-sensitive. */
export const GUARD_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'] as const

/** A media type `type/subtype`, or `type/*`; compared case-insensitively, parameters not allowed here. */
const MEDIA_RANGE = '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+/(\\*|[!#$%&\'*+.^_`|~0-9A-Za-z-]+)$'

/** A JavaScript regular expression (checked by the `regex` format), matched case-insensitively. */
const Pattern = (description: string) => Type.String({ format: 'regex', minLength: 1, maxLength: 1024, description })

/** A byte or count limit: 0 means "not checked by this plugin" (the listener's own limits still apply). */
const Limit = (description: string) => Type.Integer({ minimum: 0, default: 0, description })

/** The config of a request-guard binding. Every check is off by default: a binding names the ones it wants. */
export const requestGuardSchema = Type.Object({
  allowed_methods: Type.Array(Type.Unsafe<typeof GUARD_METHODS[number]>({ type: 'string', enum: [...GUARD_METHODS], description: 'An upper-case HTTP method.' }), {
    default: [],
    uniqueItems: true,
    description: 'Methods admitted; any other gets 405 with an Allow header. Default [] (every method).'
  }),
  max_body_bytes: Limit('Largest request body in bytes: a larger Content-Length is refused up front, a chunked body when it passes the limit (413). Default 0 (no limit).'),
  max_header_count: Limit('Most request header fields, repeated names counted each time (431). Default 0 (no limit).'),
  max_header_bytes: Limit('Largest total size of the request header fields in bytes, counted as name + value + 4 per field (431). Default 0 (no limit).'),
  max_url_bytes: Limit('Longest request path plus query in bytes, as routed (414). Default 0 (no limit).'),
  allowed_content_types: Type.Array(Type.String({ pattern: MEDIA_RANGE, maxLength: 255, description: "A media type such as 'application/json', or a range such as 'text/*'." }), {
    default: [],
    uniqueItems: true,
    description: 'Content types admitted for POST, PUT, PATCH and any request with a body; parameters (charset) are ignored (415). Default [] (any).'
  }),
  deny_user_agents: Type.Array(Pattern('A regular expression; a User-Agent it matches anywhere is refused.'), {
    default: [],
    maxItems: 256,
    description: 'User-Agent patterns refused with 403, matched case-insensitively; a request without User-Agent is not matched. Default [].'
  }),
  deny_referers: Type.Array(Pattern('A regular expression; a Referer it matches anywhere is refused.'), {
    default: [],
    maxItems: 256,
    description: 'Referer patterns refused with 403, matched case-insensitively; a request without Referer is not matched. Default [].'
  })
}, { additionalProperties: false })

/** A validated request-guard config (defaults applied). */
export type RequestGuardConfig = Static<typeof requestGuardSchema>
