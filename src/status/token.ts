import { createHash, timingSafeEqual } from 'node:crypto'

/**
 * Compares a presented token with the configured one in constant time. Both are hashed first so
 * the comparison neither leaks the token's length nor needs equal-length inputs.
 */
export function tokenMatches (presented: string | undefined, expected: string): boolean {
  if (presented === undefined) return false
  const a = createHash('sha256').update(presented).digest()
  const b = createHash('sha256').update(expected).digest()
  return timingSafeEqual(a, b)
}

/** The token of an `Authorization: Bearer <token>` header, or of `x-tollgate-token`. */
export function presentedToken (headers: Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  const authorization = headers.authorization
  if (typeof authorization === 'string') {
    const match = /^Bearer[ \t]+(\S+)\s*$/i.exec(authorization)
    if (match !== null) return match[1]
  }
  const header = headers['x-tollgate-token']
  return typeof header === 'string' ? header : undefined
}
