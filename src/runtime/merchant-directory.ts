import type { ApiKeyRecord, Merchant, MerchantDirectory } from '../kit/merchant.js'
import type { MerchantConfig } from '../config/gateway-config.js'

/**
 * The merchant directory of the file config source: everything in memory, answered
 * synchronously, so authentication costs one Map lookup and no promise.
 */
export class InMemoryMerchantDirectory implements MerchantDirectory {
  private readonly byKey = new Map<string, ApiKeyRecord>()
  private readonly byId = new Map<string, Merchant>()

  constructor (merchants: readonly MerchantConfig[]) {
    for (const entry of merchants) {
      const merchant: Merchant = Object.freeze({ id: entry.id, name: entry.name, status: entry.status, groups: Object.freeze([...entry.groups]) })
      this.byId.set(merchant.id, merchant)
      for (const apiKey of entry.credentials.api_keys) {
        this.byKey.set(apiKey.key, apiKey.label === undefined ? { merchant } : { merchant, label: apiKey.label })
      }
    }
  }

  findByApiKey (key: string): ApiKeyRecord | undefined {
    return this.byKey.get(key)
  }

  findById (id: string): Merchant | undefined {
    return this.byId.get(id)
  }
}
