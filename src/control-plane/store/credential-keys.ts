/** The credentials index of docs/control-plane.md: lookup keys → merchant id, derived from a merchant. */
import { createHash } from 'node:crypto'

/** `api_key:<sha256 hex>`: the key itself is never stored outside its merchant. */
export function apiKeyCredential (key: string): string {
  return `api_key:${createHash('sha256').update(key, 'utf8').digest('hex')}`
}

/** `signing_app:<app key>`; the app key of signature schemes is the merchant id. */
export function signingAppCredential (merchantId: string): string {
  return `signing_app:${merchantId}`
}

interface MerchantCredentials {
  id: string
  credentials?: { api_keys?: Array<{ key: string }>, secrets?: unknown[] }
}

/** Every credential key a merchant owns, with the index in `api_keys` of each API key. */
export function credentialKeysOf (merchant: MerchantCredentials): Map<string, number | undefined> {
  const keys = new Map<string, number | undefined>()
  merchant.credentials?.api_keys?.forEach((apiKey, index) => keys.set(apiKeyCredential(apiKey.key), index))
  if ((merchant.credentials?.secrets?.length ?? 0) > 0) keys.set(signingAppCredential(merchant.id), undefined)
  return keys
}
