/**
 * Token scanners used by the main loop in `scan.ts`: strings, numbers, literals, and the
 * classification of a byte that cannot start a value (so each rejected form gets its own code).
 */
import { syntaxError } from './errors.js'

/** 1 for bytes that end the fast run inside a string: `"`, `\` and the controls U+0000..U+001F. */
const STRING_STOP = new Uint8Array(256)
for (let c = 0; c < 0x20; c++) STRING_STOP[c] = 1
STRING_STOP[0x22] = 1
STRING_STOP[0x5c] = 1

/** 1 for the characters allowed after a backslash, other than `u`. */
const SIMPLE_ESCAPE = new Uint8Array(256)
for (const c of '"\\/bfnrt') SIMPLE_ESCAPE[c.charCodeAt(0)] = 1

/** 1 for hex digits. */
const HEX = new Uint8Array(256)
for (const c of '0123456789abcdefABCDEF') HEX[c.charCodeAt(0)] = 1

/** Set by {@link scanString}: whether the string just scanned had a backslash escape. */
export let lastStringEscaped = false

/**
 * Scans the string whose opening quote is at `start`; returns the offset just past the closing
 * quote. Checks escapes (including the four hex digits of `\u`) and control characters; bytes
 * 0x80 and up are skipped here because the whole input was checked for UTF-8 beforehand.
 * Lone surrogate escapes such as `\ud800` are valid syntax and pass as written.
 */
export function scanString (bytes: Uint8Array, start: number): number {
  const n = bytes.length
  let i = start + 1
  let escaped = false
  for (;;) {
    while (i < n && STRING_STOP[bytes[i] as number] === 0) i++
    if (i >= n) throw syntaxError(bytes, 'TG_JSON_UNEXPECTED_END', start, 'unterminated string')
    const c = bytes[i] as number
    if (c === 0x22) { lastStringEscaped = escaped; return i + 1 }
    if (c === 0x5c) {
      escaped = true
      const d = bytes[i + 1]
      if (d === undefined) throw syntaxError(bytes, 'TG_JSON_UNEXPECTED_END', start, 'unterminated string')
      if (d === 0x75) {
        for (let k = 2; k < 6; k++) {
          if (HEX[bytes[i + k] ?? 0] !== 1) throw syntaxError(bytes, 'TG_JSON_BAD_ESCAPE', i, '\\u escape needs four hex digits')
        }
        i += 6
      } else if (SIMPLE_ESCAPE[d] === 1) {
        i += 2
      } else {
        throw syntaxError(bytes, 'TG_JSON_BAD_ESCAPE', i, 'invalid escape sequence')
      }
      continue
    }
    throw syntaxError(bytes, 'TG_JSON_CONTROL_CHAR', i, 'unescaped control character in string')
  }
}

/** Set by {@link scanNumber}: whether the number just scanned had neither fraction nor exponent. */
export let lastNumberInteger = true

function isDigit (c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39
}

/** 1 for bytes that may not directly follow a number: they would make it a malformed number. */
const NUMBER_GLUE = new Uint8Array(256)
for (const c of '0123456789.+-eExXabcdfABCDF_') NUMBER_GLUE[c.charCodeAt(0)] = 1

/**
 * Scans the number starting at `start` (a `-` or a digit); returns the offset just past it.
 * Grammar: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
 */
export function scanNumber (bytes: Uint8Array, start: number): number {
  let i = start
  if (bytes[i] === 0x2d) i++
  const first = bytes[i]
  if (first === 0x30) {
    i++
    if (isDigit(bytes[i])) throw syntaxError(bytes, 'TG_JSON_LEADING_ZERO', start, 'leading zero in number')
  } else if (isDigit(first)) {
    i++
    while (isDigit(bytes[i])) i++
  } else if (first === 0x49) {
    throw syntaxError(bytes, 'TG_JSON_NON_FINITE', start, 'Infinity is not JSON')
  } else {
    throw syntaxError(bytes, 'TG_JSON_BAD_NUMBER', start, 'digit expected after minus sign')
  }
  let integer = true
  if (bytes[i] === 0x2e) {
    i++
    if (!isDigit(bytes[i])) throw syntaxError(bytes, 'TG_JSON_BAD_NUMBER', i, 'digit expected after decimal point')
    while (isDigit(bytes[i])) i++
    integer = false
  }
  const e = bytes[i]
  if (e === 0x65 || e === 0x45) {
    i++
    if (bytes[i] === 0x2b || bytes[i] === 0x2d) i++
    if (!isDigit(bytes[i])) throw syntaxError(bytes, 'TG_JSON_BAD_NUMBER', i, 'digit expected in exponent')
    while (isDigit(bytes[i])) i++
    integer = false
  }
  if (i < bytes.length && NUMBER_GLUE[bytes[i] as number] === 1) {
    throw syntaxError(bytes, 'TG_JSON_BAD_NUMBER', i, 'malformed number')
  }
  lastNumberInteger = integer
  return i
}

/**
 * Checks that the literal `word` (given as bytes) is at `start`; returns the offset past it.
 */
export function scanLiteral (bytes: Uint8Array, start: number, word: Uint8Array): number {
  for (let k = 0; k < word.length; k++) {
    const c = bytes[start + k]
    if (c === undefined) throw syntaxError(bytes, 'TG_JSON_UNEXPECTED_END', start, 'truncated literal')
    if (c !== word[k]) throw syntaxError(bytes, 'TG_JSON_UNEXPECTED_CHAR', start + k, 'invalid literal')
  }
  return start + word.length
}

function startsWith (bytes: Uint8Array, at: number, text: string): boolean {
  for (let k = 0; k < text.length; k++) if (bytes[at + k] !== text.charCodeAt(k)) return false
  return true
}

/**
 * The error for a byte at `i` that cannot start a value (or, with `what`, cannot appear where
 * something else was expected): picks the specific code for the usual non-JSON habits.
 */
export function unexpectedByte (bytes: Uint8Array, i: number, what: string): Error {
  if (i >= bytes.length) return syntaxError(bytes, 'TG_JSON_UNEXPECTED_END', i, `unexpected end of input, ${what}`)
  const c = bytes[i]
  if (c === 0x27) return syntaxError(bytes, 'TG_JSON_SINGLE_QUOTE', i, 'single quotes are not JSON')
  if (c === 0x2f && (bytes[i + 1] === 0x2f || bytes[i + 1] === 0x2a)) return syntaxError(bytes, 'TG_JSON_COMMENT', i, 'comments are not JSON')
  if (startsWith(bytes, i, 'NaN') || startsWith(bytes, i, 'Infinity')) return syntaxError(bytes, 'TG_JSON_NON_FINITE', i, 'NaN and Infinity are not JSON')
  if (c === 0x2b || c === 0x2e) return syntaxError(bytes, 'TG_JSON_BAD_NUMBER', i, 'malformed number')
  return syntaxError(bytes, 'TG_JSON_UNEXPECTED_CHAR', i, `unexpected character, ${what}`)
}
