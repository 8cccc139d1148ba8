import { decodeJwt, decodeProtectedHeader, type JWTPayload, type ProtectedHeaderParameters } from 'jose'
import type { PluginContext } from '../../kit/context.js'
import type { JwtKeySet, Merchant, MerchantDirectory } from '../../kit/merchant.js'
import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import type { ErrorCode } from '../../errors.js'
import type { Credential } from '../_shared/credential.js'
import { andThen } from '../_shared/and-then.js'
import { isPromise } from '../_shared/is-promise.js'
import { keyUnsuitable } from '../_shared/jwt-key.js'
import { jwksSource, type JwksKey, type JwksSource } from './jwks.js'
import { jwtSchema, type JwtConfig } from './schema.js'
import { findToken, removeToken, type TokenPlace, type TokenSource } from './token-source.js'
import { verifyToken, type Candidate, type ClaimRules } from './verify.js'

/** What jwt compiles a binding's config into. */
export interface JwtState {
  readonly source: TokenSource
  readonly algorithms: ReadonlySet<string>
  readonly merchantClaim: string
  readonly merchantKeys: boolean
  readonly jwks: readonly JwksSource[]
  readonly rules: ClaimRules
  readonly hideCredentials: boolean
  readonly merchants: MerchantDirectory
  readonly now: () => number
}

/** Options of {@link createJwt}, for tests. */
export interface JwtOptions {
  /** Epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /** Replaces the worker's shared JWKS sources (one per URL). */
  jwksSourceFor?: (url: string, config: JwtConfig, env: PluginEnv) => JwksSource
}

type Outcome = Reply | undefined | Promise<Reply | undefined>

/** RFC 6750 §3: the challenge, with `error="invalid_token"` once a token was presented. */
function refuse (code: ErrorCode, message?: string): Reply {
  const challenge = code === 'TG_JWT_MISSING' ? 'Bearer realm="tollgate"' : 'Bearer realm="tollgate", error="invalid_token"'
  return errorReply(code, { 'www-authenticate': challenge }, message)
}

/** Keys whose declared algorithm is the token's and whose kid does not contradict the token's. */
function merchantCandidates (set: JwtKeySet | undefined, alg: string, kid: string | undefined): Candidate[] {
  if (set === undefined) return []
  const found: Candidate[] = []
  for (const key of set.keys) {
    if (key.algorithm !== alg) continue
    if (kid !== undefined && key.kid !== undefined && key.kid !== kid) continue
    found.push({ kid: key.kid, algorithm: key.algorithm, key: key.key, merchant: set.merchant })
  }
  return found
}

/** JWKS keys for the token: same kid when it names one, pinned to its alg or of a fitting type. */
function jwksCandidates (keys: readonly JwksKey[], alg: string, kid: string | undefined): Candidate[] {
  const found: Candidate[] = []
  for (const key of keys) {
    if (kid !== undefined && key.kid !== kid) continue
    if (key.alg !== undefined ? key.alg !== alg : keyUnsuitable(alg, key.key) !== undefined) continue
    found.push({ kid: key.kid, algorithm: alg, key: key.key, merchant: undefined })
  }
  return found
}

/** Every key of every JWKS source, as one value or one promise. */
function allJwksKeys (sources: readonly JwksSource[], pick: (source: JwksSource) => readonly JwksKey[] | Promise<readonly JwksKey[]>): readonly JwksKey[] | Promise<readonly JwksKey[]> {
  const each = sources.map(pick)
  if (!each.some(isPromise)) return (each as Array<readonly JwksKey[]>).flat()
  return Promise.all(each).then((lists) => lists.flat())
}

/** JWKS candidates, fetching the documents again (rate-limited) when none has the token's kid. */
function jwksCandidatesFor (state: JwtState, alg: string, kid: string | undefined): Candidate[] | Promise<Candidate[]> {
  if (state.jwks.length === 0) return []
  return andThen(allJwksKeys(state.jwks, (s) => s.current()), (keys) => {
    const found = jwksCandidates(keys, alg, kid)
    if (found.length > 0 || kid === undefined) return found
    return andThen(allJwksKeys(state.jwks, (s) => s.refresh()), (fresh) => jwksCandidates(fresh, alg, kid))
  })
}

interface Decoded {
  readonly header: ProtectedHeaderParameters
  readonly payload: JWTPayload
}

function decode (token: string): Decoded | undefined {
  try {
    return { header: decodeProtectedHeader(token), payload: decodeJwt(token) }
  } catch {
    return undefined
  }
}

function admit (ctx: PluginContext, state: JwtState, merchant: Merchant | undefined, candidate: Candidate, place: TokenPlace, payload: JWTPayload): Reply | undefined {
  if (merchant === undefined) return refuse('TG_JWT_MERCHANT_UNKNOWN')
  if (merchant.status !== 'active') return refuse('TG_AUTH_MERCHANT_DISABLED', 'the merchant of this token is disabled')
  ctx.identify(merchant)
  const credential: Credential = { kind: 'jwt', algorithm: candidate.algorithm, kid: candidate.kid, issuer: typeof payload.iss === 'string' ? payload.iss : undefined }
  ctx.slots.credential = credential
  if (state.hideCredentials) removeToken(ctx.request, state.source, place)
  return undefined
}

/** From the candidates on: verify, then find the merchant (JWKS keys) and admit it. */
function verifyAndAdmit (ctx: PluginContext, state: JwtState, token: string, place: TokenPlace, merchantId: string, candidates: Candidate[]): Promise<Reply | undefined> {
  return verifyToken(token, candidates, state.rules, new Date(state.now())).then((verified) => {
    if (!verified.ok) return refuse(verified.code, verified.message)
    const { candidate, payload } = verified
    if (candidate.merchant !== undefined) return admit(ctx, state, candidate.merchant, candidate, place, payload)
    return andThen(state.merchants.findById(merchantId), (merchant) => admit(ctx, state, merchant, candidate, place, payload))
  })
}

function authenticate (ctx: PluginContext, state: JwtState): Outcome {
  const found = findToken(ctx.request, state.source)
  if (found === undefined) return refuse('TG_JWT_MISSING')
  if ('malformed' in found) return refuse('TG_JWT_MALFORMED', found.malformed)
  const decoded = decode(found.token)
  if (decoded === undefined) return refuse('TG_JWT_MALFORMED')
  const alg = decoded.header.alg
  if (alg === undefined || !state.algorithms.has(alg)) return refuse('TG_JWT_KEY_UNKNOWN', `the token algorithm ${String(alg)} is not accepted`)
  const kid = decoded.header.kid
  const merchantId = decoded.payload[state.merchantClaim]
  if (typeof merchantId !== 'string' || merchantId === '') return refuse('TG_JWT_MALFORMED', `the token has no string claim '${state.merchantClaim}' naming the merchant`)

  const keySet = state.merchantKeys ? state.merchants.findJwtKeys(merchantId) : undefined
  return andThen(keySet, (set) => andThen(jwksCandidatesFor(state, alg, kid), (fromJwks): Outcome => {
    const candidates = [...merchantCandidates(set, alg, kid), ...fromJwks]
    if (candidates.length > 0) return verifyAndAdmit(ctx, state, found.token, found.place, merchantId, candidates)
    if (state.jwks.length > 0 || set !== undefined) return refuse('TG_JWT_KEY_UNKNOWN')
    // Only merchant keys are used and this merchant has none: say whether it exists at all.
    return andThen(state.merchants.findById(merchantId), (merchant) => refuse(merchant === undefined ? 'TG_JWT_MERCHANT_UNKNOWN' : 'TG_JWT_KEY_UNKNOWN'))
  }))
}

/** Builds the jwt plugin; {@link jwt} is the bundled instance. */
export function createJwt (options: JwtOptions = {}): PluginDefinition<typeof jwtSchema, JwtState> {
  const now = options.now ?? Date.now
  const sourceFor = options.jwksSourceFor ?? ((url, config, env) => jwksSource(url, {
    ttlMs: config.jwks_ttl_seconds * 1000,
    refreshIntervalMs: config.jwks_refresh_interval_seconds * 1000,
    timeoutMs: config.jwks_timeout_ms
  }, env.log))
  return definePlugin({
    name: 'jwt',
    version: '1.0.0',
    priority: PRIORITY.authentication,
    schema: jwtSchema,

    compile (config: JwtConfig, env: PluginEnv): JwtState {
      if (!config.merchant_keys && config.jwks_urls.length === 0) throw new Error('jwt: merchant_keys is false and jwks_urls is empty, so no token could ever verify')
      return {
        source: { header: config.header.toLowerCase(), queryParam: config.query_param, cookie: config.cookie },
        algorithms: new Set(config.algorithms),
        merchantClaim: config.merchant_claim,
        merchantKeys: config.merchant_keys,
        jwks: config.jwks_urls.map((url) => sourceFor(url, config, env)),
        rules: {
          issuer: config.issuers.length === 0 ? undefined : config.issuers,
          audience: config.audiences.length === 0 ? undefined : config.audiences,
          requiredClaims: config.required_claims,
          clockToleranceSeconds: config.clock_skew_seconds
        },
        hideCredentials: config.hide_credentials,
        merchants: env.merchants,
        now
      }
    },

    access: authenticate
  })
}

/** jwt: authenticates a request by a signed JSON Web Token and identifies its merchant. */
export const jwt = createJwt()
