import type { KeyObject } from 'node:crypto'
import { jwtVerify, type JWTPayload } from 'jose'
import type { ErrorCode } from '../../errors.js'
import type { Merchant } from '../../kit/merchant.js'

/** A key a token may be verified with, and the merchant it belongs to when it is a merchant key. */
export interface Candidate {
  readonly kid: string | undefined
  readonly algorithm: string
  readonly key: KeyObject
  /** The merchant of a merchant key; undefined for a JWKS key (the claim names the merchant). */
  readonly merchant: Merchant | undefined
}

/** The claim checks of a binding, in jose's terms. */
export interface ClaimRules {
  readonly issuer: string[] | undefined
  readonly audience: string[] | undefined
  readonly requiredClaims: string[]
  readonly clockToleranceSeconds: number
}

export type Verified = { ok: true, payload: JWTPayload, candidate: Candidate } | { ok: false, code: ErrorCode, message?: string }

/** Maps a claim check jose refused to the catalog. */
function claimRefusal (claim: string, reason: string): Verified {
  if (claim === 'nbf') return { ok: false, code: 'TG_JWT_NOT_YET_VALID' }
  if (claim === 'iss') return { ok: false, code: 'TG_JWT_ISSUER_INVALID' }
  if (claim === 'aud') return { ok: false, code: 'TG_JWT_AUDIENCE_INVALID' }
  if (claim === 'exp') return { ok: false, code: 'TG_JWT_EXPIRED', message: reason === 'missing' ? 'the token has no expiry (exp)' : undefined }
  return { ok: false, code: 'TG_JWT_MALFORMED', message: `the token's ${claim} claim is ${reason === 'missing' ? 'missing' : 'invalid'}` }
}

/**
 * Verifies the token with each candidate in turn (signature first, then the claims, as jose does).
 * A signature that fails with one key is tried with the next (rotation: several keys may share a
 * kid-less slot); the first key that verifies decides, and then a claim failure is final.
 */
export async function verifyToken (token: string, candidates: readonly Candidate[], rules: ClaimRules, now: Date): Promise<Verified> {
  for (const candidate of candidates) {
    try {
      const { payload } = await jwtVerify(token, candidate.key, {
        algorithms: [candidate.algorithm],
        issuer: rules.issuer,
        audience: rules.audience,
        requiredClaims: rules.requiredClaims,
        clockTolerance: rules.clockToleranceSeconds,
        currentDate: now
      })
      return { ok: true, payload, candidate }
    } catch (error) {
      const { code, claim, reason } = error as { code?: string, claim?: string, reason?: string }
      if (code === 'ERR_JWT_EXPIRED') return { ok: false, code: 'TG_JWT_EXPIRED' }
      if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') return claimRefusal(claim ?? '', reason ?? '')
      if (code === 'ERR_JWT_INVALID' || code === 'ERR_JWS_INVALID') return { ok: false, code: 'TG_JWT_MALFORMED', message: (error as Error).message }
      // A bad signature, or a key jose finds unfit for the token: try the next key.
    }
  }
  return { ok: false, code: 'TG_JWT_SIGNATURE_INVALID' }
}
