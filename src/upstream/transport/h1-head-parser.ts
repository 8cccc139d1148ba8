// Strict parser of one HTTP/1.x response head (status line + header fields), given as a latin1
// string. Framing rules follow RFC 9112 §6 with the strict choices of DESIGN.md §6: anything a
// smuggling-aware parser (llhttp in strict mode) would refuse is refused here too.

/** Thrown for a response that breaks HTTP/1.1 syntax or framing; the transport reports `bad-response`. */
export class H1ParseError extends Error {
  constructor (message: string) {
    super(message)
    this.name = 'H1ParseError'
  }
}

/** What the framing-relevant fields of a response head said. */
export interface ResponseHead {
  readonly status: number
  /** True for `HTTP/1.0`. */
  readonly http10: boolean
  /** Flat `[name, value, ...]`, names lower-case, values with surrounding whitespace removed. */
  readonly headers: string[]
  /** The Content-Length, or -1 when absent. */
  readonly contentLength: number
  /** True when Transfer-Encoding is present (it can only be exactly `chunked`; anything else throws). */
  readonly chunked: boolean
  /** True when the connection may be reused: HTTP/1.1 without `close`, or HTTP/1.0 with `keep-alive`. */
  readonly keepAlive: boolean
}

const SP = 32
const HTAB = 9
const COLON = 58

/** tchar of RFC 9110 §5.6.2: the bytes allowed in a field name. */
const TOKEN = new Uint8Array(256)
for (let c = 0; c < 128; c++) {
  const ch = String.fromCharCode(c)
  if (/[A-Za-z0-9!#$%&'*+\-.^_`|~]/.test(ch)) TOKEN[c] = 1
}

/** True for a byte allowed in a token (field name, method). */
export function isTokenChar (c: number): boolean {
  return c < 128 && TOKEN[c] === 1
}

/** Field-value bytes: VCHAR, SP, HTAB and obs-text; no other control byte (NUL, CR, LF, DEL...). */
function isValueChar (c: number): boolean {
  return (c >= SP && c !== 127) || c === HTAB
}

/** Longest Content-Length accepted: 15 digits stays an exact double. */
const MAX_LENGTH_DIGITS = 15

/**
 * Parses `text`, a response head from the status line up to and including the CRLF that ends
 * the last header line (the blank line is not included). Throws H1ParseError on any violation.
 */
export function parseResponseHead (text: string): ResponseHead {
  const end = text.length
  const lineEnd = text.indexOf('\r\n')
  if (lineEnd === -1) throw new H1ParseError('status line without CRLF')
  const { status, http10 } = parseStatusLine(text, lineEnd)

  const headers: string[] = []
  let contentLength = -1
  let transferEncoding: string | undefined
  let connectionClose = false
  let connectionKeepAlive = false

  let pos = lineEnd + 2
  while (pos < end) {
    const eol = text.indexOf('\r\n', pos)
    if (eol === -1) throw new H1ParseError('header line without CRLF')
    const first = text.charCodeAt(pos)
    if (first === SP || first === HTAB) throw new H1ParseError('obsolete line folding in header')
    let colon = pos
    while (colon < eol && TOKEN[text.charCodeAt(colon)] === 1) colon++
    if (colon === eol || text.charCodeAt(colon) !== COLON) throw new H1ParseError('invalid header name')
    if (colon === pos) throw new H1ParseError('empty header name')
    let vStart = colon + 1
    let vEnd = eol
    while (vStart < vEnd && isOws(text.charCodeAt(vStart))) vStart++
    while (vEnd > vStart && isOws(text.charCodeAt(vEnd - 1))) vEnd--
    for (let i = vStart; i < vEnd; i++) {
      if (!isValueChar(text.charCodeAt(i))) throw new H1ParseError('invalid byte in header value')
    }
    const name = text.slice(pos, colon).toLowerCase()
    const value = text.slice(vStart, vEnd)
    headers.push(name, value)
    pos = eol + 2

    switch (name.length) {
      case 10:
        if (name === 'connection') {
          const tokens = value.toLowerCase()
          if (hasToken(tokens, 'close')) connectionClose = true
          if (hasToken(tokens, 'keep-alive')) connectionKeepAlive = true
        }
        break
      case 14:
        if (name === 'content-length') contentLength = mergeContentLength(contentLength, value)
        break
      case 17:
        if (name === 'transfer-encoding') {
          transferEncoding = transferEncoding === undefined ? value : `${transferEncoding},${value}`
        }
        break
    }
  }

  let chunked = false
  if (transferEncoding !== undefined) {
    if (http10) throw new H1ParseError('Transfer-Encoding in an HTTP/1.0 response')
    if (contentLength !== -1) throw new H1ParseError('both Content-Length and Transfer-Encoding')
    // Only `chunked` alone: another coding would reach the client without its framing header.
    if (transferEncoding.trim().toLowerCase() !== 'chunked') {
      throw new H1ParseError(`unsupported Transfer-Encoding "${transferEncoding}"`)
    }
    chunked = true
  }
  const keepAlive = http10 ? connectionKeepAlive && !connectionClose : !connectionClose
  return { status, http10, headers, contentLength, chunked, keepAlive }
}

function isOws (c: number): boolean {
  return c === SP || c === HTAB
}

function parseStatusLine (text: string, lineEnd: number): { status: number, http10: boolean } {
  // "HTTP/1.x NNN" then optionally " reason".
  if (lineEnd < 12 || !text.startsWith('HTTP/1.')) throw new H1ParseError('invalid status line')
  const minor = text.charCodeAt(7)
  if ((minor !== 48 && minor !== 49) || text.charCodeAt(8) !== SP) throw new H1ParseError('invalid HTTP version')
  let status = 0
  for (let i = 9; i < 12; i++) {
    const d = text.charCodeAt(i) - 48
    if (d < 0 || d > 9) throw new H1ParseError('invalid status code')
    status = status * 10 + d
  }
  if (status < 100) throw new H1ParseError('invalid status code')
  if (lineEnd > 12) {
    if (text.charCodeAt(12) !== SP) throw new H1ParseError('invalid status line')
    for (let i = 13; i < lineEnd; i++) {
      if (!isValueChar(text.charCodeAt(i))) throw new H1ParseError('invalid byte in reason phrase')
    }
  }
  return { status, http10: minor === 48 }
}

/** `value` may be a list of identical lengths ("5, 5"); any difference with `current` is refused. */
function mergeContentLength (current: number, value: string): number {
  let result = current
  let pos = 0
  while (pos <= value.length) {
    let comma = value.indexOf(',', pos)
    if (comma === -1) comma = value.length
    let s = pos
    let e = comma
    while (s < e && isOws(value.charCodeAt(s))) s++
    while (e > s && isOws(value.charCodeAt(e - 1))) e--
    if (e === s || e - s > MAX_LENGTH_DIGITS) throw new H1ParseError('invalid Content-Length')
    let n = 0
    for (let i = s; i < e; i++) {
      const d = value.charCodeAt(i) - 48
      if (d < 0 || d > 9) throw new H1ParseError('invalid Content-Length')
      n = n * 10 + d
    }
    if (result !== -1 && result !== n) throw new H1ParseError('conflicting Content-Length values')
    result = n
    pos = comma + 1
  }
  return result
}

/** True when the comma-separated, lower-case list `list` contains `token`. */
function hasToken (list: string, token: string): boolean {
  let from = 0
  while (true) {
    const at = list.indexOf(token, from)
    if (at === -1) return false
    let before = at - 1
    while (before >= 0 && isOws(list.charCodeAt(before))) before--
    let after = at + token.length
    while (after < list.length && isOws(list.charCodeAt(after))) after++
    if ((before < 0 || list.charCodeAt(before) === 44) && (after === list.length || list.charCodeAt(after) === 44)) return true
    from = at + 1
  }
}
