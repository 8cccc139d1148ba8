/** The admin token check, and the rule that an admin API without a token stays on loopback. */
import { createHash, timingSafeEqual } from 'node:crypto'
import { isIP } from 'node:net'

function digest (value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest()
}

/**
 * True when `authorization` is `Bearer <token>`. Both sides are hashed first, so the comparison
 * takes the same time whatever the length or content of the guess.
 */
export function tokenMatches (authorization: string | undefined, token: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')
  return timingSafeEqual(digest(match?.[1] ?? ''), digest(token)) && match !== null
}

/** Loopback: 127.0.0.0/8, ::1, ::ffff:127.x, or the name localhost. */
export function isLoopback (host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  const lower = host.toLowerCase()
  return lower === '::1' || lower.startsWith('::ffff:127.')
}
