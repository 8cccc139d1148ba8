import { Type, type Static } from '@sinclair/typebox'
import { StringEnum } from '../../config/schema/typedefs.js'

/** Methods a preflight may be allowed for; upper case, as browsers send them. */
const METHOD = StringEnum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'], 'An upper-case HTTP method.')

/** A header field name (RFC 9110 token), or `*` in `allowed_headers` to echo what was requested. */
const HEADER_NAME = Type.String({ minLength: 1, maxLength: 256, pattern: '^[!#$%&\'*+.^_`|~0-9A-Za-z-]+$' })

/** The config of a cors binding. */
export const corsSchema = Type.Object({
  origins: Type.Array(Type.String({
    minLength: 1,
    maxLength: 2048,
    // `*`, `~regex`, `null`, or scheme://host[:port] where the host may hold `*` label wildcards.
    pattern: '^(\\*|~.+|null|[a-zA-Z][a-zA-Z0-9+.-]*://[^/?#\\s]+)$',
    description: 'An allowed origin: exact (`https://shop.example.com`), a host pattern (`https://*.example.com`), a regex after `~`, or `*`.'
  }), {
    minItems: 1,
    maxItems: 1024,
    uniqueItems: true,
    description: 'Origins whose pages may call the route. Required.'
  }),
  methods: Type.Array(METHOD, {
    default: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    minItems: 1,
    uniqueItems: true,
    description: 'Methods a preflight allows (Access-Control-Allow-Methods). Default GET, HEAD, POST, PUT, PATCH, DELETE.'
  }),
  allowed_headers: Type.Array(HEADER_NAME, {
    default: ['*'],
    maxItems: 256,
    uniqueItems: true,
    description: 'Request headers a preflight allows; `*` echoes the headers the browser asked for. Default ["*"].'
  }),
  exposed_headers: Type.Array(HEADER_NAME, {
    default: ['x-request-id'],
    maxItems: 256,
    uniqueItems: true,
    description: 'Response headers scripts may read (Access-Control-Expose-Headers). Default ["x-request-id"].'
  }),
  credentials: Type.Boolean({
    default: false,
    description: 'Allow cookies and HTTP authentication (Access-Control-Allow-Credentials: true); `*` then echoes the origin. Default false.'
  }),
  max_age_seconds: Type.Integer({
    minimum: 0,
    maximum: 86_400,
    default: 600,
    description: 'How long a browser may cache a preflight answer (Access-Control-Max-Age). Default 600.'
  })
}, { additionalProperties: false })

/** A validated cors config (defaults applied). */
export type CorsConfig = Static<typeof corsSchema>
