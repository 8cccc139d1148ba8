/** ETag / If-Match on entity versions (docs/control-plane.md: If-Match compares the entity's version). */
import { AdminError, type Exchange } from './exchange.js'

export function etagOf (version: number): string {
  return `"${version}"`
}

/**
 * The version `If-Match` requires: undefined without the header, `'exists'` for `*`. One strong
 * or weak entity tag of digits (or bare digits) is accepted; anything else is a 400.
 */
export function ifMatch (ex: Exchange): number | 'exists' | undefined {
  const value = ex.header('if-match')?.trim()
  if (value === undefined || value === '') return undefined
  if (value === '*') return 'exists'
  const match = /^(?:W\/)?"?(\d{1,15})"?$/.exec(value)
  if (match === null) throw new AdminError('TG_ADMIN_BAD_QUERY', `If-Match must be an entity tag from an ETag of this API, e.g. "12" (got ${JSON.stringify(value)})`)
  return Number(match[1])
}
