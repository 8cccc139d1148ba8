/**
 * String decoding (on demand, for reads) and encoding (for new values on edits).
 */

function hexValue (c: number): number {
  if (c <= 0x39) return c - 0x30
  return (c | 0x20) - 0x57
}

const SIMPLE: Record<number, string> = { 0x22: '"', 0x5c: '\\', 0x2f: '/', 0x62: '\b', 0x66: '\f', 0x6e: '\n', 0x72: '\r', 0x74: '\t' }

/**
 * Decodes the content of a scanned string (`start`..`end` exclude the quotes). Without escapes it
 * is one native UTF-8 decode. `\uXXXX` escapes become UTF-16 code units as written, so a valid
 * surrogate pair joins into one character and a lone surrogate stays a lone surrogate.
 */
export function decodeString (bytes: Buffer, start: number, end: number, escaped: boolean): string {
  if (!escaped) return bytes.toString('utf8', start, end)
  let out = ''
  let run = start
  let i = start
  while (i < end) {
    if (bytes[i] !== 0x5c) { i++; continue }
    if (i > run) out += bytes.toString('utf8', run, i)
    const d = bytes[i + 1] as number
    if (d === 0x75) {
      const unit = (hexValue(bytes[i + 2] as number) << 12) | (hexValue(bytes[i + 3] as number) << 8) |
        (hexValue(bytes[i + 4] as number) << 4) | hexValue(bytes[i + 5] as number)
      out += String.fromCharCode(unit)
      i += 6
    } else {
      out += SIMPLE[d] ?? ''
      i += 2
    }
    run = i
  }
  if (end > run) out += bytes.toString('utf8', run, end)
  return out
}

/**
 * Minimal JSON string literal for `text`: escapes only `"`, `\` and U+0000..U+001F (with the short
 * forms `\b \f \n \r \t`) plus lone surrogates as `\uXXXX` (UTF-8 cannot carry them). `/` and
 * non-ASCII characters are written as they are. This is exactly what V8's well-formed
 * `JSON.stringify` does for a string, so it is used (native and fast).
 */
export function quoteString (text: string): string {
  return JSON.stringify(text)
}
