import { createPublicKey, createSecretKey, X509Certificate, type KeyObject } from 'node:crypto'

/** What a JWT key is declared with (a merchant's `credentials.jwt_keys[]` entry). */
export interface JwtKeyEntry {
  readonly kid?: string | undefined
  readonly algorithm: string
  readonly secret?: string | undefined
  readonly public_key_pem?: string | undefined
}

/** Why `key` cannot verify `algorithm` (key type, curve, RSA size: RFC 7518 §3, RFC 8037), or undefined when it can. */
export function keyUnsuitable (algorithm: string, key: KeyObject): string | undefined {
  const type = key.asymmetricKeyType
  const details = key.asymmetricKeyDetails
  if (algorithm.startsWith('RS') || algorithm.startsWith('PS')) {
    if (type !== 'rsa' && !(type === 'rsa-pss' && algorithm.startsWith('PS'))) return `${algorithm} needs an RSA key, got ${String(type)}`
    if ((details?.modulusLength ?? 0) < 2048) return `${algorithm} needs an RSA key of at least 2048 bits (RFC 7518 §3.3)`
    return undefined
  }
  if (algorithm === 'ES256' || algorithm === 'ES384') {
    const curve = algorithm === 'ES256' ? 'prime256v1' : 'secp384r1'
    if (type !== 'ec' || details?.namedCurve !== curve) return `${algorithm} needs an EC key on ${algorithm === 'ES256' ? 'P-256' : 'P-384'}`
    return undefined
  }
  if (algorithm === 'EdDSA') return type === 'ed25519' || type === 'ed448' ? undefined : `EdDSA needs an Ed25519 or Ed448 key, got ${String(type)}`
  return `unsupported algorithm ${algorithm}`
}

/**
 * Imports a declared key once, at config load: a secret key for HS*, the public key of a PEM
 * (SPKI or certificate) for the rest. Returns the key, or the reason it is unusable — a private
 * key is refused rather than quietly reduced to its public half, since it does not belong in config.
 */
export function importJwtKey (entry: JwtKeyEntry): { key: KeyObject } | { problem: string, field: 'secret' | 'public_key_pem' } {
  if (entry.algorithm.startsWith('HS')) {
    if (entry.public_key_pem !== undefined) return { problem: `an ${entry.algorithm} key takes a secret, not a public key`, field: 'public_key_pem' }
    if (entry.secret === undefined) return { problem: `an ${entry.algorithm} key needs a secret`, field: 'secret' }
    return { key: createSecretKey(Buffer.from(entry.secret, 'utf8')) }
  }
  if (entry.secret !== undefined) return { problem: `an ${entry.algorithm} key takes public_key_pem, not a secret`, field: 'secret' }
  const pem = entry.public_key_pem
  if (pem === undefined) return { problem: `an ${entry.algorithm} key needs public_key_pem`, field: 'public_key_pem' }
  if (pem.includes('PRIVATE KEY')) return { problem: 'this is a private key: give the public key (or certificate) only', field: 'public_key_pem' }
  let key: KeyObject
  try {
    key = pem.includes('BEGIN CERTIFICATE') ? new X509Certificate(pem).publicKey : createPublicKey(pem)
  } catch (error) {
    return { problem: `not a readable PEM public key or certificate: ${(error as Error).message}`, field: 'public_key_pem' }
  }
  const unsuitable = keyUnsuitable(entry.algorithm, key)
  return unsuitable === undefined ? { key } : { problem: unsuitable, field: 'public_key_pem' }
}
