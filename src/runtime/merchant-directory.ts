import type { ApiKeyRecord, Merchant, MerchantDirectory, SigningApp } from '../kit/merchant.js'
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

  constructor (merchants: readonly MerchantConfig[]) {
    for (const entry of merchants) {
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
    }
  }

  findByApiKey (key: string): ApiKeyRecord | undefined {
    return this.byKey.get(key)
  }

  findSigningApp (appKey: string): SigningApp | undefined {
    return this.signingApps.get(appKey)
  }

  findById (id: string): Merchant | undefined {
    return this.byId.get(id)
  }
}
