import { createHash } from 'node:crypto'
import type { ApiKeyRecord, JwtKeySet, Merchant, MerchantDirectory, SigningApp } from '../kit/merchant.js'
import type { CompiledCredential, CompiledMerchant } from './compile-entity.js'
import type { LayeredCache } from './layered-cache.js'

type Maybe<T> = T | undefined | Promise<T | undefined>

function isPromise<T> (value: Maybe<T>): value is Promise<T | undefined> {
  return typeof (value as Promise<unknown> | undefined)?.then === 'function'
}

/** Applies `next` now when `value` is at hand, after it resolves otherwise (no promise on an L1 hit). */
function then<T, U> (value: Maybe<T>, next: (found: T | undefined) => Maybe<U>): Maybe<U> {
  return isPromise(value) ? value.then(next) : next(value)
}

/** The credential key of an API key: its SHA-256 in hex (the control plane never stores keys in index keys). */
export function apiKeyCredential (apiKey: string): string {
  return `api_key:${createHash('sha256').update(apiKey).digest('hex')}`
}

/**
 * The merchant directory of the control-plane source: each lookup goes through the credential
 * index to the merchant, both through the cache levels. When both are in L1 the answer is
 * synchronous; otherwise a promise (the plugins accept either).
 */
export class CachedMerchantDirectory implements MerchantDirectory {
  constructor (private readonly cache: LayeredCache) {}

  findByApiKey (key: string): Maybe<ApiKeyRecord> {
    return then(this.credential(apiKeyCredential(key)), (credential) =>
      credential === undefined ? undefined : then(this.merchant(credential.merchantId), (merchant) => merchant?.apiKeys.get(key)))
  }

  findSigningApp (appKey: string): Maybe<SigningApp> {
    return then(this.credential(`signing_app:${appKey}`), (credential) =>
      credential === undefined ? undefined : then(this.merchant(credential.merchantId), (merchant) => merchant?.signingApp))
  }

  findJwtKeys (merchantId: string): Maybe<JwtKeySet> {
    return then(this.merchant(merchantId), (merchant) => merchant?.jwtKeys)
  }

  findById (id: string): Maybe<Merchant> {
    return then(this.merchant(id), (merchant) => merchant?.merchant)
  }

  private credential (key: string): Maybe<CompiledCredential> {
    return this.cache.get('credential', key) as Maybe<CompiledCredential>
  }

  private merchant (id: string): Maybe<CompiledMerchant> {
    return this.cache.get('merchant', id) as Maybe<CompiledMerchant>
  }
}
