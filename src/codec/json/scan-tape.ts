/**
 * The validating scanner: one pass over the bytes, no recursion (depth is an explicit stack, so
 * 100,000 opening brackets end in `TG_JSON_TOO_DEEP`, not a stack overflow), recording the tape.
 */
import { syntaxError } from './errors.js'
import { lastNumberInteger, lastStringEscaped, scanLiteral, scanNumber, scanString, unexpectedByte } from './lex.js'
import { checkDuplicateKeys } from './duplicate-keys.js'
import { ARRAY, ESCAPED, FALSE, INTEGER, KEY, KIND_MASK, NULL, NUMBER, OBJECT, SLOTS, STRING, TRUE, type Tape } from './tape.js'

const WHITESPACE = new Uint8Array(256)
WHITESPACE[0x20] = 1
WHITESPACE[0x09] = 1
WHITESPACE[0x0a] = 1
WHITESPACE[0x0d] = 1

const WORD_TRUE = new Uint8Array([0x74, 0x72, 0x75, 0x65])
const WORD_FALSE = new Uint8Array([0x66, 0x61, 0x6c, 0x73, 0x65])
const WORD_NULL = new Uint8Array([0x6e, 0x75, 0x6c, 0x6c])

const VALUE = 0
const AFTER_VALUE = 1
const KEY_STATE = 2

function grow (tape: Int32Array): Int32Array {
  const bigger = new Int32Array(tape.length * 2)
  bigger.set(tape)
  return bigger
}

// Typed-array allocation costs about 1 us, as much as scanning 200 bytes, so the scanner works in
// a reused scratch tape and depth stack (scanning is synchronous and never re-entered) and then
// hands out the tape: small tapes are copied into a shared slab, large ones take the scratch.
const SCRATCH_INTS = 16 * 1024
const SLAB_INTS = 64 * 1024
const SMALL_TAPE_INTS = 2 * 1024
let scratch: Int32Array = new Int32Array(SCRATCH_INTS)
let slab: Int32Array = new Int32Array(SLAB_INTS)
let slabUsed = 0
let depthStack: Int32Array = new Int32Array(129)

function handOut (tape: Int32Array, ints: number): Int32Array {
  if (ints <= SMALL_TAPE_INTS) {
    if (slabUsed + ints > SLAB_INTS) { slab = new Int32Array(SLAB_INTS); slabUsed = 0 }
    // views made by the constructor: cheaper in V8 than subarray(), which looks up a species
    const out = new Int32Array(slab.buffer, slabUsed * 4, ints)
    out.set(new Int32Array(tape.buffer, 0, ints))
    slabUsed += ints
    return out
  }
  if (tape === scratch) scratch = new Int32Array(SCRATCH_INTS)
  return tape
}

/**
 * The tape of a document that is one scalar spanning all `length` bytes, for values an edit wrote
 * itself (known valid, so not scanned again). `kind` includes its flags.
 */
export function scalarTape (kind: number, length: number): Tape {
  const tape = scratch
  tape[0] = kind
  tape[1] = 0
  tape[2] = length
  tape[3] = 0
  return { data: handOut(tape, SLOTS), count: 1 }
}

/** FNV-1a over the raw bytes of a key (quotes excluded); only used to find duplicate candidates. */
function hashKey (bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5
  for (let i = start; i < end; i++) h = Math.imul(h ^ (bytes[i] as number), 0x01000193)
  return h
}

/**
 * Validates `bytes` as one RFC 8259 JSON text and returns its tape. Throws a `JsonSyntaxError`
 * for the first problem met. UTF-8 validity is the caller's job (see `scan.ts`).
 */
export function scanTape (bytes: Uint8Array, maxDepth: number, rejectDuplicates: boolean): Tape {
  const n = bytes.length
  let tape = scratch
  let t = 0
  if (depthStack.length < maxDepth + 1) depthStack = new Int32Array(maxDepth + 1)
  const stack = depthStack
  let depth = 0
  let i = 0
  let state = VALUE
  for (;;) {
    while (i < n && WHITESPACE[bytes[i] as number] === 1) i++
    if (state === VALUE) {
      if (i >= n) throw syntaxError(bytes, 'TG_JSON_UNEXPECTED_END', i, 'unexpected end of input, expected a value')
      if ((t + 1) * SLOTS > tape.length) tape = grow(tape)
      const e = t * SLOTS
      const c = bytes[i] as number
      tape[e + 1] = i
      if (c === 0x22) {
        i = scanString(bytes, i)
        tape[e] = lastStringEscaped ? STRING | ESCAPED : STRING
      } else if (c === 0x7b || c === 0x5b) {
        if (depth >= maxDepth) throw syntaxError(bytes, 'TG_JSON_TOO_DEEP', i, `nesting deeper than ${maxDepth}`)
        const isObject = c === 0x7b
        tape[e] = isObject ? OBJECT : ARRAY
        stack[depth++] = t
        t++
        i++
        while (i < n && WHITESPACE[bytes[i] as number] === 1) i++
        if (bytes[i] === (isObject ? 0x7d : 0x5d)) {
          i++
          tape[e + 2] = i
          tape[e + 3] = t
          depth--
          state = AFTER_VALUE
        } else {
          state = isObject ? KEY_STATE : VALUE
        }
        continue
      } else if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        i = scanNumber(bytes, i)
        tape[e] = lastNumberInteger ? NUMBER | INTEGER : NUMBER
      } else if (c === 0x74) {
        i = scanLiteral(bytes, i, WORD_TRUE)
        tape[e] = TRUE
      } else if (c === 0x66) {
        i = scanLiteral(bytes, i, WORD_FALSE)
        tape[e] = FALSE
      } else if (c === 0x6e) {
        i = scanLiteral(bytes, i, WORD_NULL)
        tape[e] = NULL
      } else {
        throw unexpectedByte(bytes, i, 'expected a value')
      }
      tape[e + 2] = i
      t++
      state = AFTER_VALUE
    } else if (state === AFTER_VALUE) {
      if (depth === 0) {
        if (i < n) {
          if (bytes[i] === 0x2f) throw unexpectedByte(bytes, i, 'expected end of input')
          throw syntaxError(bytes, 'TG_JSON_TRAILING_DATA', i, 'unexpected text after the JSON value')
        }
        return { data: handOut(tape, t * SLOTS), count: t }
      }
      const top = stack[depth - 1] as number
      const isObject = ((tape[top * SLOTS] as number) & KIND_MASK) === OBJECT
      const close = isObject ? 0x7d : 0x5d
      const c = bytes[i]
      if (c === 0x2c) {
        const comma = i
        i++
        while (i < n && WHITESPACE[bytes[i] as number] === 1) i++
        if (bytes[i] === 0x5d || bytes[i] === 0x7d) {
          throw syntaxError(bytes, 'TG_JSON_TRAILING_COMMA', comma, 'trailing comma')
        }
        state = isObject ? KEY_STATE : VALUE
      } else if (c === close) {
        i++
        tape[top * SLOTS + 2] = i
        tape[top * SLOTS + 3] = t
        depth--
        if (isObject && rejectDuplicates) checkDuplicateKeys(bytes, tape, top)
      } else {
        throw unexpectedByte(bytes, i, isObject ? "expected ',' or '}'" : "expected ',' or ']'")
      }
    } else {
      if (bytes[i] !== 0x22) throw unexpectedByte(bytes, i, 'expected a string key')
      if ((t + 1) * SLOTS > tape.length) tape = grow(tape)
      const e = t * SLOTS
      const start = i
      i = scanString(bytes, i)
      tape[e] = lastStringEscaped ? KEY | ESCAPED : KEY
      tape[e + 1] = start
      tape[e + 2] = i
      tape[e + 3] = hashKey(bytes, start + 1, i - 1)
      t++
      while (i < n && WHITESPACE[bytes[i] as number] === 1) i++
      if (bytes[i] !== 0x3a) throw unexpectedByte(bytes, i, "expected ':' after the key")
      i++
      state = VALUE
    }
  }
}
