/**
 * Duplicate-key check, run when an object closes. Two keys are duplicates when their decoded
 * strings are equal, so `"a"` and `"\u0061"` collide. Small objects without escaped keys compare
 * key hashes pairwise (no allocation); others decode keys into a Set.
 */
import { syntaxError } from './errors.js'
import { decodeString } from './strings.js'
import { ESCAPED, SLOTS, nextIndex } from './tape.js'

const PAIRWISE_MAX = 16

function sameBytes (bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false
  for (let k = 0; k < a1 - a0; k++) if (bytes[a0 + k] !== bytes[b0 + k]) return false
  return true
}

function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
}

/** Throws `TG_JSON_DUPLICATE_KEY` at the later key when the object at tape index `object` repeats a key. */
export function checkDuplicateKeys (bytes: Uint8Array, tape: Int32Array, object: number): void {
  const end = tape[object * SLOTS + 3] as number
  const keys: number[] = []
  let anyEscaped = false
  for (let k = object + 1; k < end; k = nextIndex(tape, k + 1)) {
    keys.push(k)
    if (((tape[k * SLOTS] as number) & ESCAPED) !== 0) anyEscaped = true
  }
  if (keys.length < 2) return
  if (!anyEscaped && keys.length <= PAIRWISE_MAX) {
    for (let a = 1; a < keys.length; a++) {
      const ka = (keys[a] as number) * SLOTS
      for (let b = 0; b < a; b++) {
        const kb = (keys[b] as number) * SLOTS
        if (tape[ka + 3] === tape[kb + 3] &&
          sameBytes(bytes, tape[ka + 1] as number, tape[ka + 2] as number, tape[kb + 1] as number, tape[kb + 2] as number)) {
          throw syntaxError(bytes, 'TG_JSON_DUPLICATE_KEY', tape[ka + 1] as number, 'duplicate key in object')
        }
      }
    }
    return
  }
  const seen = new Set<string>()
  const buffer = asBuffer(bytes)
  for (const k of keys) {
    const e = k * SLOTS
    const flags = tape[e] as number
    const key = decodeString(buffer, (tape[e + 1] as number) + 1, (tape[e + 2] as number) - 1, (flags & ESCAPED) !== 0)
    if (seen.has(key)) throw syntaxError(bytes, 'TG_JSON_DUPLICATE_KEY', tape[e + 1] as number, 'duplicate key in object')
    seen.add(key)
  }
}
