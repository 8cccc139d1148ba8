/**
 * 32-bit hash of a string: FNV-1a over the UTF-16 code units, then murmur3's `fmix32` finaliser.
 * FNV-1a alone is fast but mixes its last characters poorly, so keys such as `t#1`, `t#2` would
 * land next to each other on the ring; the finaliser spreads every input bit over the result.
 * @returns an unsigned 32-bit integer
 */
export function hash32 (text: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  h ^= h >>> 16
  h = Math.imul(h, 0x85ebca6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2b2ae35)
  h ^= h >>> 16
  return h >>> 0
}
