import type { KeyObject } from 'node:crypto'

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

/** A shared signing secret of a merchant (config `credentials.secrets`). */
export interface SigningSecret {
  /** Id of the secret within its merchant: names which secret matched during rotation. */
  readonly id: string
  readonly secret: string
}

/** What a signing app key resolves to: the merchant and every secret it may sign with. */
export interface SigningApp {
  readonly merchant: Merchant
  /**
   * The merchant's secrets in config order, never empty. Two are active while a merchant rotates:
   * a signature made with either is accepted.
   */
  readonly secrets: readonly SigningSecret[]
}

/** A key a merchant's JWTs verify with (config `credentials.jwt_keys`), imported at config load. */
export interface JwtKey {
  /** When set, only tokens naming this kid (or none) are tried with the key. */
  readonly kid: string | undefined
  /** The one algorithm the key verifies (`HS256` … `EdDSA`). */
  readonly algorithm: string
  /** A secret key (HS*) or a public key. */
  readonly key: KeyObject
}

/** A merchant and the keys its JWTs may be signed with (never empty). */
export interface JwtKeySet {
  readonly merchant: Merchant
  readonly keys: readonly JwtKey[]
}

/**
 * Where authentication plugins look merchants and their credentials up. The file config source
 * answers synchronously from memory; the control-plane source may return a promise (cache levels).
 */
export interface MerchantDirectory {
  /** The record for an API key, or undefined when no merchant has it. */
  findByApiKey (key: string): ApiKeyRecord | undefined | Promise<ApiKeyRecord | undefined>
  /**
   * The signing app of an app key, or undefined when no merchant signs with it. The app key of
   * signature schemes is the merchant id; a merchant without secrets has no signing app.
   */
  findSigningApp (appKey: string): SigningApp | undefined | Promise<SigningApp | undefined>
  /** The JWT keys of a merchant by id, or undefined when it has none (or does not exist). */
  findJwtKeys (merchantId: string): JwtKeySet | undefined | Promise<JwtKeySet | undefined>
  /** A merchant by id, or undefined. */
  findById (id: string): Merchant | undefined | Promise<Merchant | undefined>
}
