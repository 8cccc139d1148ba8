import type { GatewayRequest } from '../../kit/context.js'
import type { HeaderList } from '../../kit/headers.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { compileOrigins, type OriginMatcher } from './origin-matcher.js'
import { corsSchema, type CorsConfig } from './schema.js'

/** What cors compiles a binding's config into: header values are joined once, here. */
export interface CorsState {
  readonly origins: OriginMatcher
  readonly credentials: boolean
  /** `*` may be sent as such only when every origin is allowed and no credentials are (Fetch §3.2.5). */
  readonly literalStar: boolean
  readonly allowMethods: string
  /** undefined: echo `Access-Control-Request-Headers`. */
  readonly allowHeaders: string | undefined
  readonly exposeHeaders: string | undefined
  readonly maxAge: string
}

/** A CORS preflight: OPTIONS with an Origin and the method the real request will use. */
export function isPreflight (request: GatewayRequest): boolean {
  return request.method === 'OPTIONS' && request.headers.has('origin') && request.headers.has('access-control-request-method')
}

/** Adds `value` to the Vary field unless it is there already (or Vary is `*`). */
function addVary (headers: HeaderList, value: string): void {
  const current = headers.get('vary')
  if (current === undefined || current === '') return headers.set('vary', value)
  const lower = current.toLowerCase()
  if (lower === '*') return
  for (const part of lower.split(',')) if (part.trim() === value.toLowerCase()) return
  headers.set('vary', `${current}, ${value}`)
}

/** The response varies by Origin unless it is the same literal `*` for everyone. */
function varyOn (state: CorsState): string | undefined {
  return state.literalStar ? undefined : 'Origin'
}

function preflightReply (request: GatewayRequest, state: CorsState, origin: string): Reply {
  const headers: Record<string, string> = {
    'access-control-allow-origin': state.literalStar ? '*' : origin,
    'access-control-allow-methods': state.allowMethods,
    'access-control-max-age': state.maxAge
  }
  if (state.credentials) headers['access-control-allow-credentials'] = 'true'
  const requested = request.headers.get('access-control-request-headers')
  const allowHeaders = state.allowHeaders ?? requested
  if (allowHeaders !== undefined && allowHeaders !== '') headers['access-control-allow-headers'] = allowHeaders
  // Caches must key preflight answers on what they echo, as well as on the origin.
  const vary = [varyOn(state), state.allowHeaders === undefined ? 'Access-Control-Request-Headers' : undefined].filter((v) => v !== undefined)
  if (vary.length > 0) headers.vary = vary.join(', ')
  return { status: 204, headers, body: '' }
}

/**
 * cors: answers CORS preflights at the gateway (never proxied) and adds the CORS response headers to
 * every answer to an allowed origin, gateway errors included (a browser script can only read a 401
 * or 429 that carries them). A disallowed origin gets no CORS headers, so the browser blocks the
 * response; its preflight is answered 403 TG_CORS_ORIGIN_FORBIDDEN.
 */
export const cors = definePlugin({
  name: 'cors',
  version: '1.0.0',
  // Access phase, after the security band (a blocked address stays blocked, preflight or not) and
  // before authentication: a preflight never carries credentials (Fetch §4.8).
  priority: PRIORITY.authentication + 500,
  schema: corsSchema,

  compile (config: CorsConfig): CorsState {
    const origins = compileOrigins(config.origins)
    return {
      origins,
      credentials: config.credentials,
      literalStar: origins.any && !config.credentials,
      allowMethods: config.methods.join(', '),
      allowHeaders: config.allowed_headers.includes('*') ? undefined : config.allowed_headers.join(', '),
      exposeHeaders: config.exposed_headers.length === 0 ? undefined : config.exposed_headers.join(', '),
      maxAge: String(config.max_age_seconds)
    }
  },

  access (ctx, state): Reply | undefined {
    const request = ctx.request
    if (!isPreflight(request)) return undefined
    const origin = request.headers.get('origin') as string
    if (!state.origins.allows(origin)) {
      const vary = varyOn(state)
      return errorReply('TG_CORS_ORIGIN_FORBIDDEN', vary === undefined ? undefined : { vary })
    }
    return preflightReply(request, state, origin)
  },

  headerFilter (ctx, state): void {
    const response = ctx.response
    if (response === undefined) return
    const headers = response.headers
    const vary = varyOn(state)
    if (vary !== undefined) addVary(headers, vary)
    const origin = ctx.request.headers.get('origin')
    // A preflight answer (ours, or a refusal from an earlier plugin) is complete as it is.
    if (origin === undefined || isPreflight(ctx.request)) return
    if (!state.origins.allows(origin)) {
      // The route's policy wins over whatever the upstream said.
      headers.delete('access-control-allow-origin')
      headers.delete('access-control-allow-credentials')
      return
    }
    headers.set('access-control-allow-origin', state.literalStar ? '*' : origin)
    if (state.credentials) headers.set('access-control-allow-credentials', 'true')
    if (state.exposeHeaders !== undefined) headers.set('access-control-expose-headers', state.exposeHeaders)
  }
})
