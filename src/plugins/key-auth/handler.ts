import type { GatewayRequest, PluginContext } from '../../kit/context.js'
import type { ApiKeyRecord, MerchantDirectory } from '../../kit/merchant.js'
import { definePlugin, PRIORITY, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import type { ErrorCode } from '../../errors.js'
import { isPromise } from '../_shared/is-promise.js'
import type { Credential } from '../_shared/credential.js'
import { keyAuthSchema, type KeyAuthConfig } from './schema.js'

/** What key-auth compiles a binding's config into. */
export interface KeyAuthState {
  /** Header names, lower-cased once here so the request path compares without converting. */
  readonly headerNames: readonly string[]
  /** Query parameter names; empty when `key_in_query` is false. */
  readonly queryNames: readonly string[]
  readonly hideCredentials: boolean
  readonly merchants: MerchantDirectory
}

/**
 * RFC 9110 §11.6.1: a 401 must say how to authenticate. `apikey` names the scheme; the key's
 * location is in the README rather than the header, so the challenge stays constant.
 */
export const KEY_AUTH_CHALLENGE = 'apikey'

function refuse (code: ErrorCode): Reply {
  // A fresh object per reply: the runner may add to it, and refusals are off the fast path.
  return errorReply(code, { 'www-authenticate': KEY_AUTH_CHALLENGE })
}

/** The first non-empty key in the configured headers, then the configured query parameters. */
export function findApiKey (request: GatewayRequest, state: KeyAuthState): string | undefined {
  for (const name of state.headerNames) {
    const value = request.headers.get(name)
    if (value !== undefined && value !== '') return value
  }
  if (request.query === '') return undefined
  for (const name of state.queryNames) {
    const value = request.queryParam(name)
    if (value !== undefined && value !== '') return value
  }
  return undefined
}

/** Removes every configured key location, not only the one used, so no credential reaches upstream. */
function hideCredentials (request: GatewayRequest, state: KeyAuthState): void {
  for (const name of state.headerNames) request.headers.delete(name)
  if (request.query === '') return
  for (const name of state.queryNames) {
    if (request.queryParam(name) !== undefined) request.deleteQueryParam(name)
  }
}

function accept (ctx: PluginContext, state: KeyAuthState, record: ApiKeyRecord | undefined): Reply | undefined {
  if (record === undefined) return refuse('TG_AUTH_KEY_UNKNOWN')
  if (record.merchant.status !== 'active') return refuse('TG_AUTH_MERCHANT_DISABLED')
  ctx.identify(record.merchant)
  const credential: Credential = { kind: 'api-key', label: record.label }
  ctx.slots.credential = credential
  if (state.hideCredentials) hideCredentials(ctx.request, state)
  return undefined
}

/**
 * key-auth: identifies the merchant by an API key from a header or the query string.
 * Synchronous when the merchant directory answers from memory; returns a promise only when the
 * directory did.
 */
export const keyAuth = definePlugin({
  name: 'key-auth',
  version: '1.0.0',
  priority: PRIORITY.authentication,
  schema: keyAuthSchema,

  compile (config: KeyAuthConfig, env: PluginEnv): KeyAuthState {
    return {
      headerNames: config.key_names.map((name) => name.toLowerCase()),
      queryNames: config.key_in_query ? config.query_names : [],
      hideCredentials: config.hide_credentials,
      merchants: env.merchants
    }
  },

  access (ctx, state) {
    const key = findApiKey(ctx.request, state)
    if (key === undefined) return refuse('TG_AUTH_KEY_MISSING')
    const record = state.merchants.findByApiKey(key)
    if (isPromise(record)) return record.then((found) => accept(ctx, state, found))
    return accept(ctx, state, record)
  }
})
