import type { ApiKeyRecord, JwtKey, JwtKeySet, Merchant, MerchantDirectory, SigningApp } from '../kit/merchant.js'
import { importJwtKey } from '../plugins/_shared/jwt-key.js'
import type { MerchantConfig } from '../config/gateway-config.js'

/**
 * The merchant directory of the file config source: everything in memory, answered
 * synchronously, so authentication costs one Map lookup and no promise.
 */
export class InMemoryMerchantDirectory implements MerchantDirectory {
  private readonly byKey = new Map<string, ApiKeyRecord>()
  private readonly byId = new Map<string, Merchant>()
  /** Signing apps by app key, which is the merchant id (ids are unique, secrets ids only per merchant). */
  private readonly signingApps = new Map<string, SigningApp>()
  /** JWT keys by merchant id, imported once here (the config checks proved they import). */
  private readonly jwtKeys = new Map<string, JwtKeySet>()

  constructor (merchants: readonly MerchantConfig[]) {
    for (const merchantEntry of merchants) {
      const entry = merchantEntry
      const merchant: Merchant = Object.freeze({ id: entry.id, name: entry.name, status: entry.status, groups: Object.freeze([...entry.groups]) })
      this.byId.set(merchant.id, merchant)
      for (const apiKey of entry.credentials.api_keys) {
        this.byKey.set(apiKey.key, apiKey.label === undefined ? { merchant } : { merchant, label: apiKey.label })
      }
      const secrets = entry.credentials.secrets
      if (secrets.length > 0) {
        this.signingApps.set(merchant.id, Object.freeze({
          merchant,
          secrets: Object.freeze(secrets.map(({ id, secret }) => Object.freeze({ id, secret })))
        }))
      }
      const keys: JwtKey[] = []
      for (const entry of merchantEntry.credentials.jwt_keys) {
        const imported = importJwtKey(entry)
        if ('key' in imported) keys.push(Object.freeze({ kid: entry.kid, algorithm: entry.algorithm, key: imported.key }))
      }
      if (keys.length > 0) this.jwtKeys.set(merchant.id, Object.freeze({ merchant, keys: Object.freeze(keys) }))
    }
  }

  findByApiKey (key: string): ApiKeyRecord | undefined {
    return this.byKey.get(key)
  }

  findSigningApp (appKey: string): SigningApp | undefined {
    return this.signingApps.get(appKey)
  }

  findJwtKeys (merchantId: string): JwtKeySet | undefined {
    return this.jwtKeys.get(merchantId)
  }

  findById (id: string): Merchant | undefined {
    return this.byId.get(id)
  }
}

