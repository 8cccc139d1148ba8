/**
 * Duplicate-key check, run when an object closes. Two keys are duplicates when their decoded
 * strings are equal, so `"a"` and `"\u0061"` collide. Objects of up to 128 unescaped keys use a
 * reused hash table of raw key bytes (no allocation); others decode their keys into a Set.
 */
import { syntaxError } from './errors.js'
import { decodeString } from './strings.js'
import { ESCAPED, SLOTS, nextIndex } from './tape.js'

function sameBytes (bytes: Uint8Array, a0: number, a1: number, b0: number, b1: number): boolean {
  if (a1 - a0 !== b1 - b0) return false
  for (let k = 0; k < a1 - a0; k++) if (bytes[a0 + k] !== bytes[b0 + k]) return false
  return true
}

function asBuffer (bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length)
}

// A small open-addressing table of key hashes, reused across objects: a slot is live only when
// its stamp equals the current object's generation, so nothing is cleared or allocated per object.
const TABLE_SIZE = 256
const TABLE_MAX_KEYS = 128
const slots = new Int32Array(TABLE_SIZE)
const stamps = new Int32Array(TABLE_SIZE)
let generation = 0

/** Throws `TG_JSON_DUPLICATE_KEY` at the later key when the object at tape index `object` repeats a key. */
export function checkDuplicateKeys (bytes: Uint8Array, tape: Int32Array, object: number): void {
  const end = tape[object * SLOTS + 3] as number
  if (end - object < 4) return // fewer than two members
  if (++generation === 0x7fffffff) { stamps.fill(0); generation = 1 }
  let count = 0
  for (let k = object + 1; k < end; k = nextIndex(tape, k + 1)) {
    const e = k * SLOTS
    if (((tape[e] as number) & ESCAPED) !== 0 || ++count > TABLE_MAX_KEYS) { checkBySet(bytes, tape, object, end); return }
    const hash = tape[e + 3] as number
    let slot = hash & (TABLE_SIZE - 1)
    while (stamps[slot] === generation) {
      const other = (slots[slot] as number) * SLOTS
      if (tape[other + 3] === hash && sameBytes(bytes, tape[e + 1] as number, tape[e + 2] as number, tape[other + 1] as number, tape[other + 2] as number)) {
        throw syntaxError(bytes, 'TG_JSON_DUPLICATE_KEY', tape[e + 1] as number, 'duplicate key in object')
      }
      slot = (slot + 1) & (TABLE_SIZE - 1)
    }
    stamps[slot] = generation
    slots[slot] = k
  }
}

/** Objects with escaped keys or many keys: compare decoded keys. */
function checkBySet (bytes: Uint8Array, tape: Int32Array, object: number, end: number): void {
  const seen = new Set<string>()
  const buffer = asBuffer(bytes)
  for (let k = object + 1; k < end; k = nextIndex(tape, k + 1)) {
    const e = k * SLOTS
    const flags = tape[e] as number
    const key = decodeString(buffer, (tape[e + 1] as number) + 1, (tape[e + 2] as number) - 1, (flags & ESCAPED) !== 0)
    if (seen.has(key)) throw syntaxError(bytes, 'TG_JSON_DUPLICATE_KEY', tape[e + 1] as number, 'duplicate key in object')
    seen.add(key)
  }
}
