import { LRUCache } from 'lru-cache'
import { apiKeyCredential } from '../control-plane/store/credential-keys.js'
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

/**
 * API keys whose credential key (a SHA-256) is remembered. Hashing on every request was most of
 * what a control-plane source cost over a file source on an L1 hit; the bound keeps keys sprayed by
 * callers from growing memory (they only evict others, which then are hashed again).
 */
const REMEMBERED_API_KEYS = 10_000

/**
 * The merchant directory of the control-plane source: each lookup goes through the credential
 * index to the merchant, both through the cache levels. When both are in L1 the answer is
 * synchronous; otherwise a promise (the plugins accept either).
 */
export class CachedMerchantDirectory implements MerchantDirectory {
  private readonly apiKeyCredentials = new LRUCache<string, string>({ max: REMEMBERED_API_KEYS })

  constructor (private readonly cache: LayeredCache) {}

  findByApiKey (key: string): Maybe<ApiKeyRecord> {
    let credentialKey = this.apiKeyCredentials.get(key)
    if (credentialKey === undefined) {
      credentialKey = apiKeyCredential(key)
      this.apiKeyCredentials.set(key, credentialKey)
    }
    return then(this.credential(credentialKey), (credential) =>
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
