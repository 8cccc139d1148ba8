/** A merchant as plugins see it: identified by authentication, read by limits, ACLs and logs. */
export interface Merchant {
  readonly id: string
  readonly name: string
  /** A disabled merchant is refused by every authentication plugin. */
  readonly status: 'active' | 'disabled'
  /** ACL groups the merchant belongs to. */
  readonly groups: readonly string[]
}

/** What an API key resolves to. */
export interface ApiKeyRecord {
  readonly merchant: Merchant
  /** Optional label of the key (for rotation: which of several keys was used). */
  readonly label?: string
}

/**
 * Where authentication plugins look merchants and their credentials up. The file config source
 * answers synchronously from memory; the control-plane source may return a promise (cache levels).
 */
export interface MerchantDirectory {
  /** The record for an API key, or undefined when no merchant has it. */
  findByApiKey (key: string): ApiKeyRecord | undefined | Promise<ApiKeyRecord | undefined>
  /** A merchant by id, or undefined. */
  findById (id: string): Merchant | undefined | Promise<Merchant | undefined>
}
