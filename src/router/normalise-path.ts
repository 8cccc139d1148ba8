/**
 * Request-target normalisation: the one place where a raw request-target becomes the path that
 * routing, plugins and the upstream all see. Applied once per request; see `README.md` in this
 * folder for the rules and the reasons behind each.
 */

/** The normalised path and the raw query of a request-target, or why it was refused. */
export type NormalisedTarget =
  | { readonly ok: true, readonly path: string, readonly query: string }
  | { readonly ok: false, readonly reason: string }

const SLASH = 0x2f
const DOT = 0x2e
const PERCENT = 0x25
const QUESTION = 0x3f

/**
 * Normalises an HTTP request-target (RFC 9112 §3.2).
 *
 * Accepts origin-form (`/a/b?x=1`) and absolute-form with an `http` or `https` scheme
 * (`http://host/a?x`, whose path and query are taken; the authority is ignored here: the Host
 * decision belongs to the ingress). Refuses asterisk-form (`*`) and authority-form.
 *
 * The path is then:
 * 1. checked: control characters, space, `\`, `#` and non-ASCII characters are refused;
 * 2. percent-decoded for unreserved characters only (`%41` → `A`, `%2e` → `.`); any other valid
 *    escape is kept with upper-case hex (`%3a` → `%3A`); `%2F`, `%5C`, `%00` and malformed
 *    escapes are refused;
 * 3. stripped of dot segments (RFC 3986 §5.2.4), never climbing above `/`;
 * 4. collapsed where slashes repeat; a trailing slash is kept.
 *
 * The query (after the first `?`, without it) is returned unchanged; only control characters,
 * space and `#` are refused in it, because they could split or cut a request line upstream.
 *
 * The result is idempotent: normalising a returned path returns it unchanged. A path with no `%`,
 * no `//` and no `.`/`..` segment is returned after one scan, as a slice of the input.
 *
 * @returns `{ ok: true, path, query }`, or `{ ok: false, reason }` with a human-readable reason
 *   (the caller answers `TG_REQUEST_BAD_PATH`).
 */
export function normaliseRequestTarget (rawTarget: string): NormalisedTarget {
  let start = 0
  if (rawTarget.charCodeAt(0) !== SLASH) {
    const pathStart = absoluteFormPathStart(rawTarget)
    if (pathStart < 0) {
      return refuse(rawTarget === '*' ? 'asterisk-form request-target is not routed' : 'request-target must be origin-form or an http(s) absolute-form URL')
    }
    start = pathStart
  }

  const length = rawTarget.length
  let simple = true
  let end = start
  // One scan over the path: validate characters and note whether the slow path is needed.
  for (; end < length; end++) {
    const code = rawTarget.charCodeAt(end)
    if (code === QUESTION) break
    if (code <= 0x20 || code >= 0x7f || code === 0x5c || code === 0x23) return refuse(badCharReason(code))
    if (code === PERCENT) {
      simple = false
    } else if (code === SLASH) {
      if (rawTarget.charCodeAt(end + 1) === SLASH) simple = false
    } else if (code === DOT && rawTarget.charCodeAt(end - 1) === SLASH && isDotSegmentAt(rawTarget, end)) {
      simple = false
    }
  }

  let query = ''
  if (end < length) {
    query = rawTarget.slice(end + 1)
    const bad = findQueryControl(query)
    if (bad >= 0) return refuse(`query contains ${describeChar(query.charCodeAt(bad))}`)
  }

  // An absolute-form URL without a path (`http://host?x`) has the path `/`.
  if (start === end) return { ok: true, path: '/', query }
  if (simple) return { ok: true, path: start === 0 && end === length ? rawTarget : rawTarget.slice(start, end), query }

  const decoded = decodeUnreserved(rawTarget, start, end)
  if (decoded.ok !== true) return decoded
  return { ok: true, path: removeDotSegments(decoded.path), query }
}

function refuse (reason: string): { ok: false, reason: string } {
  return { ok: false, reason }
}

/**
 * For `http://authority/path?q` (scheme case-insensitive), the index of the path's `/`, of the
 * `?` when there is no path, or the length when there is neither; -1 when not such a URL.
 */
function absoluteFormPathStart (target: string): number {
  const colon = target.indexOf('://')
  if (colon < 0) return -1
  const scheme = target.slice(0, colon).toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') return -1
  const authorityStart = colon + 3
  for (let i = authorityStart; i < target.length; i++) {
    const code = target.charCodeAt(i)
    if (code === SLASH || code === QUESTION) return i === authorityStart ? -1 : i
    if (code === 0x23) return -1
  }
  return target.length > authorityStart ? target.length : -1
}

/** True when the `.` at `index` starts a `.` or `..` segment (the caller checked the `/` before it). */
function isDotSegmentAt (s: string, index: number): boolean {
  let next = s.charCodeAt(index + 1)
  if (next === DOT) next = s.charCodeAt(index + 2)
  // NaN (end of string) compares unequal to everything, so test the end explicitly.
  return next === SLASH || next === QUESTION || Number.isNaN(next)
}

function findQueryControl (query: string): number {
  for (let i = 0; i < query.length; i++) {
    const code = query.charCodeAt(i)
    // '#' too: a fragment is never part of a request-target (RFC 9112 §3.2).
    if (code <= 0x20 || code === 0x7f || code === 0x23) return i
  }
  return -1
}

function badCharReason (code: number): string {
  return `path contains ${describeChar(code)}`
}

function describeChar (code: number): string {
  if (code === 0x20) return 'a space'
  if (code === 0x5c) return 'a backslash'
  if (code === 0x23) return 'a fragment marker (#)'
  if (code >= 0x80) return 'a non-ASCII character'
  return `control character 0x${code.toString(16).padStart(2, '0')}`
}

function hexValue (code: number): number {
  if (code >= 0x30 && code <= 0x39) return code - 0x30
  const lower = code | 0x20
  if (lower >= 0x61 && lower <= 0x66) return lower - 0x61 + 10
  return -1
}

/** RFC 3986 §2.3 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~". */
function isUnreserved (code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a) || (code >= 0x30 && code <= 0x39) ||
    code === 0x2d || code === DOT || code === 0x5f || code === 0x7e
}

const HEX_DIGITS = '0123456789ABCDEF'

/**
 * Decodes escapes of unreserved characters in `s[start, end)` and upper-cases the hex of the others.
 * Escapes are decoded once: `%252e` stays `%252e`, so a path is never decoded twice.
 */
function decodeUnreserved (s: string, start: number, end: number): { ok: true, path: string } | { ok: false, reason: string } {
  let out = ''
  let copiedUpTo = start
  for (let i = start; i < end; i++) {
    if (s.charCodeAt(i) !== PERCENT) continue
    const high = i + 2 < end ? hexValue(s.charCodeAt(i + 1)) : -1
    const low = high >= 0 ? hexValue(s.charCodeAt(i + 2)) : -1
    if (low < 0) return refuse(`path contains an invalid percent-escape at offset ${i - start}`)
    const byte = high * 16 + low
    // An encoded slash or backslash would let one path mean different things to the router and to
    // an upstream that decodes it; NUL truncates strings in C-based backends.
    if (byte === SLASH) return refuse('path contains an encoded slash (%2F)')
    if (byte === 0x5c) return refuse('path contains an encoded backslash (%5C)')
    if (byte === 0) return refuse('path contains an encoded NUL (%00)')
    out += s.slice(copiedUpTo, i)
    out += isUnreserved(byte) ? String.fromCharCode(byte) : '%' + HEX_DIGITS[high] + HEX_DIGITS[low]
    copiedUpTo = i + 3
    i += 2
  }
  out += s.slice(copiedUpTo, end)
  return { ok: true, path: out }
}

/**
 * RFC 3986 §5.2.4 on an absolute path, also dropping empty segments (`//`). The last segment decides
 * the trailing slash: `/a/b/` and `/a/b/.` keep it, `/a/b/..` gives `/a/`, as in the RFC.
 */
function removeDotSegments (path: string): string {
  const segments = path.split('/')
  const out: string[] = []
  let trailingSlash = false
  // segments[0] is '' because the path starts with '/'.
  for (let i = 1; i < segments.length; i++) {
    const segment = segments[i] as string
    const last = i === segments.length - 1
    if (segment === '..') {
      out.pop()
      trailingSlash = last
    } else if (segment === '.' || segment === '') {
      trailingSlash = last
    } else {
      out.push(segment)
      trailingSlash = false
    }
  }
  if (out.length === 0) return '/'
  return '/' + out.join('/') + (trailingSlash ? '/' : '')
}
