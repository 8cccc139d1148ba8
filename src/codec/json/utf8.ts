/**
 * UTF-8 checks. The fast path is Node's native `buffer.isUtf8()`; the JS walk below only runs on
 * input already known to be bad, to find the offset of the first bad byte for the error.
 */

/**
 * Offset of the first byte that makes `bytes` invalid UTF-8 (RFC 3629: no overlong forms, no
 * surrogates U+D800..U+DFFF, nothing above U+10FFFF), or -1 when the whole input is valid.
 */
export function findInvalidUtf8 (bytes: Uint8Array): number {
  const n = bytes.length
  let i = 0
  while (i < n) {
    const b = bytes[i] ?? 0
    if (b < 0x80) { i++; continue }
    let need: number
    let lo = 0x80
    let hi = 0xbf
    if (b >= 0xc2 && b <= 0xdf) need = 1
    else if (b === 0xe0) { need = 2; lo = 0xa0 } else if (b === 0xed) { need = 2; hi = 0x9f } else if (b >= 0xe1 && b <= 0xef) need = 2
    else if (b === 0xf0) { need = 3; lo = 0x90 } else if (b === 0xf4) { need = 3; hi = 0x8f } else if (b >= 0xf1 && b <= 0xf3) need = 3
    else return i
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k]
      if (c === undefined) return i
      // the second byte has a narrower range for E0, ED, F0 and F4; later ones are plain 80..BF
      if (k === 1 ? (c < lo || c > hi) : (c < 0x80 || c > 0xbf)) return i
    }
    i += need + 1
  }
  return -1
}
