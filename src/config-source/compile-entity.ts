import { MerchantSchema, type MerchantEntry } from '../config/schema/merchant.js'
import { validatorFor } from '../config/ajv.js'
import type { ApiKeyRecord, JwtKey, JwtKeySet, Merchant, SigningApp } from '../kit/merchant.js'
import { importJwtKey } from '../plugins/_shared/jwt-key.js'

/** A merchant as L1 holds it: what plugins see, built once per merchant version. */
export interface CompiledMerchant {
  readonly merchant: Merchant
  /** Its API keys by key: a key the credential index still names but the merchant no longer lists is refused. */
  readonly apiKeys: ReadonlyMap<string, ApiKeyRecord>
  readonly signingApp: SigningApp | undefined
  readonly jwtKeys: JwtKeySet | undefined
}

/** The `credential` index entry: which merchant a key belongs to. */
export interface CompiledCredential {
  readonly merchantId: string
}

/**
 * Validates a merchant body with the same schema as the YAML file (defaults filled) and builds the
 * frozen objects the authentication plugins read. Throws with every problem on a bad body.
 */
export function compileMerchant (body: unknown): CompiledMerchant {
  const entry = structuredClone(body) as MerchantEntry
  const validate = validatorFor(MerchantSchema, 'entity')
  if (!validate(entry)) throw new Error(`merchant body is invalid: ${JSON.stringify(validate.errors?.map((e) => `${e.instancePath} ${e.message ?? ''}`))}`)
  const merchant: Merchant = Object.freeze({ id: entry.id, name: entry.name ?? entry.id, status: entry.status, groups: Object.freeze([...entry.groups]) })
  const apiKeys = new Map<string, ApiKeyRecord>()
  for (const { key, label } of entry.credentials.api_keys) {
    apiKeys.set(key, Object.freeze(label === undefined ? { merchant } : { merchant, label }))
  }
  const secrets = entry.credentials.secrets
  const signingApp = secrets.length === 0
    ? undefined
    : Object.freeze({ merchant, secrets: Object.freeze(secrets.map(({ id, secret }) => Object.freeze({ id, secret }))) })
  const keys: JwtKey[] = []
  for (const jwt of entry.credentials.jwt_keys) {
    const imported = importJwtKey(jwt)
    if ('key' in imported) keys.push(Object.freeze({ kid: jwt.kid, algorithm: jwt.algorithm, key: imported.key }))
  }
  const jwtKeys = keys.length === 0 ? undefined : Object.freeze({ merchant, keys: Object.freeze(keys) })
  return { merchant, apiKeys, signingApp, jwtKeys }
}

/** A credential index body `{"merchant_id": "…"}`. */
export function compileCredential (body: unknown): CompiledCredential {
  const merchantId = (body as { merchant_id?: unknown } | null)?.merchant_id
  if (typeof merchantId !== 'string' || merchantId === '') throw new Error('credential body has no merchant_id')
  return Object.freeze({ merchantId })
}

/** The compiler of each lazily loaded kind. */
export function compileEntity (kind: string, _key: string, body: unknown): unknown {
  if (kind === 'merchant') return compileMerchant(body)
  if (kind === 'credential') return compileCredential(body)
  throw new Error(`kind '${kind}' is not loaded per key`)
}
