import type { HeaderList } from '../kit/headers.js'

/** Fields that describe one connection, never forwarded (RFC 9110 §7.6.1, plus legacy ones). */
const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade',
  'proxy-authenticate', 'proxy-authorization', 'http2-settings'
])

/** True for a hop-by-hop field name (lower-case). */
export function isHopByHop (name: string): boolean {
  return HOP_BY_HOP.has(name)
}

/**
 * Adds the field names a Connection value lists, other than hop-by-hop ones (removed anyway), to
 * `into`; returns it (made when needed). The usual values `keep-alive` and `close` add nothing and
 * cost no split.
 */
function addNamedFields (value: string, into: Set<string> | undefined): Set<string> | undefined {
  const lower = value.toLowerCase()
  if (lower === 'keep-alive' || lower === 'close') return into
  for (const token of lower.split(',')) {
    const name = token.trim()
    if (name === '' || name === 'close' || HOP_BY_HOP.has(name)) continue
    into ??= new Set()
    into.add(name)
  }
  return into
}

/**
 * Removes hop-by-hop fields and every field named in `Connection` from a header list, before
 * Tollgate adds its own (a client can name `x-forwarded-for` in Connection to strip it; the
 * gateway then sets it again itself).
 */
export function stripHopByHop (headers: HeaderList): void {
  // Most requests carry none of them (a keep-alive HTTP/1.1 client sends no Connection header).
  let found = false
  headers.forEach((_value, name) => { if (HOP_BY_HOP.has(name)) found = true })
  if (!found) return
  let named: Set<string> | undefined
  for (const value of headers.getAll('connection')) named = addNamedFields(value, named)
  headers.deleteWhere(named === undefined
    ? (name) => HOP_BY_HOP.has(name)
    : (name) => HOP_BY_HOP.has(name) || named.has(name))
}

/**
 * The same for a flat `[name, value, ...]` response header list (names lower-case). Returns `flat`
 * itself when nothing is to be removed (the common case: no copy), else a new list.
 */
export function stripHopByHopFlat (flat: string[]): string[] {
  let clean = true
  for (let i = 0; i < flat.length; i += 2) {
    if (HOP_BY_HOP.has(flat[i] as string)) { clean = false; break }
  }
  if (clean) return flat
  let named: Set<string> | undefined
  for (let i = 0; i < flat.length; i += 2) {
    if (flat[i] === 'connection') named = addNamedFields(flat[i + 1] as string, named)
  }
  const out: string[] = []
  for (let i = 0; i < flat.length; i += 2) {
    const name = flat[i] as string
    if (HOP_BY_HOP.has(name) || (named !== undefined && named.has(name))) continue
    out.push(name, flat[i + 1] as string)
  }
  return out
}
