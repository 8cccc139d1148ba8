/**
 * Whole-value conversion to plain JS. Numbers are never silently rounded: in `'auto'` mode a
 * number becomes a JS number only when that is exact, an integer beyond ±(2^53 − 1) becomes a
 * bigint, and any other inexact number (`1.000000000000000005`, `1e400`) a `JsonNumber`.
 */
import { currentElements, currentEntries, type Element } from './members.js'
import { JsonNumber } from './number.js'
import { decodeString } from './strings.js'
import { ARRAY, ESCAPED, FALSE, KIND_MASK, NUMBER, OBJECT, SLOTS, STRING, TRUE } from './tape.js'
import type { Ref } from './overlay.js'

/** Options of `toJS()`. */
export interface ToJSOptions {
  /**
   * `'auto'` (default): exact JS numbers where possible, bigint for larger integers, `JsonNumber`
   * for the rest. `'lossless'`: every number is a `JsonNumber` (its exact text).
   */
  numbers?: 'auto' | 'lossless'
}

function convertNumber (text: string, lossless: boolean): unknown {
  const number = new JsonNumber(text)
  if (lossless) return number
  if (number.isInteger) return number.isSafeInteger ? Number(text) : BigInt(text)
  return number.isExactNumber ? Number(text) : number
}

function convert (ref: Ref, lossless: boolean): unknown {
  const { doc, index } = ref
  if (index === 0 && doc.rootReplacement !== undefined) return convert({ doc: doc.rootReplacement, index: 0 }, lossless)
  const kind = (doc.tape[index * SLOTS] as number) & KIND_MASK
  switch (kind) {
    case OBJECT: {
      const out: Record<string, unknown> = {}
      for (const [key, member] of currentEntries(doc, index)) {
        const value = convert(member, lossless)
        // a "__proto__" key must become an own property, not the prototype
        if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true })
        else out[key] = value
      }
      return out
    }
    case ARRAY: {
      const elements = currentElements(doc, index)
      const out = new Array<unknown>(elements.length)
      for (let k = 0; k < elements.length; k++) out[k] = convert((elements[k] as Element).value, lossless)
      return out
    }
    case STRING: return decodeString(doc.bytes, (doc.tape[index * SLOTS + 1] as number) + 1, (doc.tape[index * SLOTS + 2] as number) - 1, ((doc.tape[index * SLOTS] as number) & ESCAPED) !== 0)
    case NUMBER: return convertNumber(doc.bytes.toString('latin1', doc.tape[index * SLOTS + 1], doc.tape[index * SLOTS + 2]), lossless)
    case TRUE: return true
    case FALSE: return false
    default: return null
  }
}

/** Converts `value` (and everything under it, with edits applied) to plain JS. */
export function toJS (value: Ref, options?: ToJSOptions): unknown {
  const lossless = options?.numbers === 'lossless'
  return convert(value, lossless)
}
