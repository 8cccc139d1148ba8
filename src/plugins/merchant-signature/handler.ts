import { timingSafeEqual } from 'node:crypto'
import type { PluginContext } from '../../kit/context.js'
import type { MerchantDirectory, SigningApp, SigningSecret } from '../../kit/merchant.js'
import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import type { ErrorCode } from '../../errors.js'
import { andThen } from '../_shared/and-then.js'
import type { Credential } from '../_shared/credential.js'
import { collectCompatParams, isFormBody, parseCompatTimestamp } from './compat.js'
import { LocalNonceStores, type LruNonceStore, type NonceStore } from './nonce-store.js'
import { RedisNonceStore } from './redis-nonce-store.js'
import { merchantSignatureSchema, type MerchantSignatureConfig, type SignatureScheme } from './schema.js'
import {
  bodySha256Hex, canonicalQuery, canonicalString, compatBaseString, compatDigest, EMPTY_BODY_SHA256,
  NONCE_PATTERN, TG_HEADERS, TG_SCHEME_LINE, tgSignatureDigest, type CompatSignMethod
} from './sign.js'

/** What merchant-signature compiles a binding's config into. */
export interface MerchantSignatureState {
  readonly tg: boolean
  /** Accepted compatibility `sign_method` values; empty when no compatibility scheme is on. */
  readonly compatMethods: ReadonlySet<string>
  readonly skewMs: number
  readonly compatUtcOffsetMinutes: number
  readonly hideCredentials: boolean
  readonly merchants: MerchantDirectory
  readonly nonces: NonceStore
  /** The capacity of the local store acquired, so destroy can release it; 0 with an injected store. */
  readonly localCapacity: number
  readonly now: () => number
}

/** Options of {@link createMerchantSignature}; for tests and for a shared (Redis) nonce store. */
export interface MerchantSignatureOptions {
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number
  /** Replaces the per-worker LRU for every binding (`nonce_cache_size` is then unused). */
  nonceStore?: NonceStore
}

/** RFC 9110 §11.6.1: a 401 names the scheme to authenticate with. */
export const SIGNATURE_CHALLENGE = TG_SCHEME_LINE

function refuse (code: ErrorCode, message?: string): Reply {
  return errorReply(code, { 'www-authenticate': SIGNATURE_CHALLENGE }, message)
}

/** The digits of a hex string as bytes, or undefined when it is not exactly `bytes` bytes of hex. */
function hexBytes (text: string, bytes: number): Buffer | undefined {
  if (text.length !== bytes * 2 || !/^[0-9a-fA-F]+$/.test(text)) return undefined
  return Buffer.from(text, 'hex')
}

/**
 * The first secret whose digest equals `given`, each compared in constant time. Stopping at a match
 * tells a timing observer only which of the merchant's secrets matched, never how much of a
 * signature was right, and spares the second HMAC on most requests during a rotation.
 */
function matchingSecret (secrets: readonly SigningSecret[], given: Buffer, digestOf: (secret: string) => Buffer): SigningSecret | undefined {
  for (const secret of secrets) {
    const expected = digestOf(secret.secret)
    if (expected.length === given.length && timingSafeEqual(expected, given)) return secret
  }
  return undefined
}

/** Refusals for an app key that has no usable signing app. */
function checkApp (app: SigningApp | undefined): Reply | undefined {
  if (app === undefined) return refuse('TG_SIGNATURE_UNKNOWN_APP')
  if (app.merchant.status !== 'active') return refuse('TG_AUTH_MERCHANT_DISABLED', 'the merchant of this app key is disabled')
  return undefined
}

/** The last step of every scheme: the nonce is recorded only for a verified signature, then the merchant is identified. */
function admit (ctx: PluginContext, state: MerchantSignatureState, app: SigningApp, secret: SigningSecret, scheme: SignatureScheme, nonceKey: string, expiresAtMs: number, nowMs: number): Reply | undefined | Promise<Reply | undefined> {
  return andThen(state.nonces.remember(nonceKey, expiresAtMs, nowMs), (fresh) => {
    if (fresh === undefined) return errorReply('TG_SIGNATURE_NONCE_UNAVAILABLE')
    if (!fresh) return refuse('TG_SIGNATURE_REPLAYED')
    ctx.identify(app.merchant)
    const credential: Credential = { kind: 'signature', scheme, secretId: secret.id }
    ctx.slots.credential = credential
    if (state.hideCredentials) {
      const headers = ctx.request.headers
      headers.delete(TG_HEADERS.appKey)
      headers.delete(TG_HEADERS.timestamp)
      headers.delete(TG_HEADERS.nonce)
      headers.delete(TG_HEADERS.signature)
    }
    return undefined
  })
}

/** `tg-hmac-sha256`: four headers, canonical string of the request, HMAC-SHA256. */
function verifyTg (ctx: PluginContext, state: MerchantSignatureState): Reply | undefined | Promise<Reply | undefined> {
  const headers = ctx.request.headers
  const appKey = headers.get(TG_HEADERS.appKey)
  const timestamp = headers.get(TG_HEADERS.timestamp)
  const nonce = headers.get(TG_HEADERS.nonce)
  const signature = headers.get(TG_HEADERS.signature)
  if ((appKey ?? '') === '' && (signature ?? '') === '') return refuse('TG_SIGNATURE_MISSING')
  if (appKey === undefined || appKey === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the X-Tg-AppKey header')
  if (timestamp === undefined || timestamp === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the X-Tg-Timestamp header')
  if (nonce === undefined || nonce === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the X-Tg-Nonce header')
  if (signature === undefined || signature === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the X-Tg-Signature header')
  if (!/^\d{1,16}$/.test(timestamp)) return refuse('TG_SIGNATURE_INVALID', 'X-Tg-Timestamp must be epoch milliseconds')
  if (!NONCE_PATTERN.test(nonce)) return refuse('TG_SIGNATURE_INVALID', 'X-Tg-Nonce must be 16 to 64 characters of A-Z a-z 0-9 _ -')
  const given = hexBytes(signature, 32)
  if (given === undefined) return refuse('TG_SIGNATURE_INVALID', 'X-Tg-Signature must be 64 hex digits')
  const nowMs = state.now()
  const timestampMs = Number(timestamp)
  if (Math.abs(nowMs - timestampMs) > state.skewMs) return refuse('TG_SIGNATURE_EXPIRED')

  return andThen(state.merchants.findSigningApp(appKey), (app) => {
    const refused = checkApp(app)
    if (refused !== undefined || app === undefined) return refused
    // No body needs no read: a bodiless request stays synchronous end to end.
    const bodyHash = ctx.request.bodyLength === 0 ? EMPTY_BODY_SHA256 : ctx.request.readBody().then(bodySha256Hex)
    return andThen(bodyHash, (hash) => {
      const { method, path, query } = ctx.request
      const canonical = canonicalString({
        appKey, timestamp, nonce, method, path, canonicalQuery: query === '' ? '' : canonicalQuery(query), bodySha256Hex: hash
      })
      const secret = matchingSecret(app.secrets, given, (key) => tgSignatureDigest(key, canonical))
      if (secret === undefined) return refuse('TG_SIGNATURE_INVALID')
      // Remembered until the timestamp leaves the window: after that the timestamp refuses a replay.
      return admit(ctx, state, app, secret, 'tg-hmac-sha256', 'tg\n' + appKey + '\n' + nonce, timestampMs + state.skewMs, nowMs)
    })
  })
}

/** Digest lengths of the compatibility methods, in bytes. */
const COMPAT_DIGEST_BYTES: Record<CompatSignMethod, number> = { md5: 16, hmac: 16, 'hmac-sha256': 32 }

/** JD/TOP: parameters in the query (and a form body), `sign` over the sorted others. */
function verifyCompatParams (ctx: PluginContext, state: MerchantSignatureState, query: string, formBody: string | undefined): Reply | undefined | Promise<Reply | undefined> {
  const collected = collectCompatParams(query, formBody)
  if (!collected.ok) return refuse('TG_SIGNATURE_INVALID', `the parameter ${JSON.stringify(collected.duplicate).slice(0, 80)} is sent more than once`)
  const params = collected.params
  const sign = params.get('sign') ?? ''
  const appKey = params.get('app_key') ?? ''
  const timestamp = params.get('timestamp') ?? ''
  if (sign === '' && appKey === '') return refuse('TG_SIGNATURE_MISSING')
  if (appKey === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the app_key parameter')
  if (sign === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the sign parameter')
  if (timestamp === '') return refuse('TG_SIGNATURE_MISSING', 'the request lacks the timestamp parameter')
  // JD's SDKs may leave sign_method out: it then means md5.
  const method = params.get('sign_method') ?? 'md5'
  if (!state.compatMethods.has(method)) return refuse('TG_SIGNATURE_INVALID', 'this sign_method is not accepted here')
  const signMethod = method as CompatSignMethod
  const given = hexBytes(sign, COMPAT_DIGEST_BYTES[signMethod])
  if (given === undefined) return refuse('TG_SIGNATURE_INVALID', 'sign must be hex digits of the sign_method digest length')
  const timestampMs = parseCompatTimestamp(timestamp, state.compatUtcOffsetMinutes)
  if (Number.isNaN(timestampMs)) return refuse('TG_SIGNATURE_INVALID', 'timestamp must be "yyyy-MM-dd HH:mm:ss" or epoch milliseconds')
  const nowMs = state.now()
  if (Math.abs(nowMs - timestampMs) > state.skewMs) return refuse('TG_SIGNATURE_EXPIRED')

  return andThen(state.merchants.findSigningApp(appKey), (app) => {
    const refused = checkApp(app)
    if (refused !== undefined || app === undefined) return refused
    const base = compatBaseString(params)
    const secret = matchingSecret(app.secrets, given, (key) => compatDigest(signMethod, key, base))
    if (secret === undefined) return refuse('TG_SIGNATURE_INVALID')
    // These schemes carry no nonce: the signature itself is one (it covers the timestamp).
    return admit(ctx, state, app, secret, signMethod, 'compat\n' + appKey + '\n' + given.toString('hex'), timestampMs + state.skewMs, nowMs)
  })
}

function verifyCompat (ctx: PluginContext, state: MerchantSignatureState): Reply | undefined | Promise<Reply | undefined> {
  const request = ctx.request
  if (request.bodyLength === 0 || !isFormBody(request.headers.get('content-type'))) return verifyCompatParams(ctx, state, request.query, undefined)
  return request.readBody().then((body) => verifyCompatParams(ctx, state, request.query, body.toString('utf8')))
}

/** The worker LRU, behind Redis when `gateway.redis` is configured (nonces shared by every worker and node). */
function nonceStoreFor (local: LruNonceStore, config: MerchantSignatureConfig, env: PluginEnv): NonceStore {
  if (env.redis === undefined) return local
  return new RedisNonceStore(local, env.redis, config.nonce_redis_failure, env.log)
}

/** Builds the plugin with an injected clock or nonce store; {@link merchantSignature} is the bundled instance. */
export function createMerchantSignature (options: MerchantSignatureOptions = {}): PluginDefinition<typeof merchantSignatureSchema, MerchantSignatureState> {
  const now = options.now ?? Date.now
  const localStores = new LocalNonceStores()
  return definePlugin({
    name: 'merchant-signature',
    version: '1.0.0',
    priority: PRIORITY.authentication,
    schema: merchantSignatureSchema,

    compile (config: MerchantSignatureConfig, env: PluginEnv): MerchantSignatureState {
      const injected = options.nonceStore
      return {
        tg: config.schemes.includes('tg-hmac-sha256'),
        compatMethods: new Set(config.schemes.filter((scheme) => scheme !== 'tg-hmac-sha256')),
        skewMs: config.clock_skew_seconds * 1000,
        compatUtcOffsetMinutes: config.compat_utc_offset_minutes,
        hideCredentials: config.hide_credentials,
        merchants: env.merchants,
        nonces: injected ?? nonceStoreFor(localStores.acquire(config.nonce_cache_size), config, env),
        localCapacity: injected === undefined ? config.nonce_cache_size : 0,
        now
      }
    },

    destroy (state) {
      if (state.localCapacity > 0) localStores.release(state.localCapacity)
    },

    access (ctx, state) {
      const compat = state.compatMethods.size > 0
      if (state.tg && (!compat || ctx.request.headers.has(TG_HEADERS.signature) || ctx.request.headers.has(TG_HEADERS.appKey))) {
        return verifyTg(ctx, state)
      }
      return verifyCompat(ctx, state)
    }
  })
}

/** merchant-signature: identifies the merchant by a request signature made with one of its secrets. */
export const merchantSignature = createMerchantSignature()
