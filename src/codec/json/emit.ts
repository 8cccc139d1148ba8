/**
 * Writing a document back to bytes. Untouched values are copied as slices of the input (original
 * whitespace, escapes, number spellings, key order); a container that holds edits is written
 * member by member, keeping the original separators between members that remain, and only new
 * values are serialised (in their own documents, already minimal).
 */
import { originalMembers } from './members.js'
import { quoteString } from './strings.js'
import { ARRAY, KIND_MASK, OBJECT, SLOTS } from './tape.js'
import type { JsonDocument } from './document.js'

/** Options of `emit()`. */
export interface EmitOptions {
  /** Drop insignificant whitespace; strings, numbers and key order stay exact. Default false. */
  compact?: boolean
}

const COMMA = Buffer.from(',')
const WHITESPACE = new Uint8Array(256)
WHITESPACE[0x20] = 1
WHITESPACE[0x09] = 1
WHITESPACE[0x0a] = 1
WHITESPACE[0x0d] = 1

function startOf (doc: JsonDocument, index: number): number {
  return doc.tape[index * SLOTS + 1] as number
}

function endOf (doc: JsonDocument, index: number): number {
  return doc.tape[index * SLOTS + 2] as number
}

function emitObject (doc: JsonDocument, index: number, out: Uint8Array[]): void {
  const bytes = doc.bytes
  const overlay = doc.overlays?.get(index)
  const keys = originalMembers(doc, index)
  const close = endOf(doc, index) - 1
  let separator: Uint8Array | undefined
  const last = keys[keys.length - 1]
  if (last === undefined) {
    out.push(bytes.subarray(startOf(doc, index), close))
  } else {
    out.push(bytes.subarray(startOf(doc, index), startOf(doc, keys[0] as number)))
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as number
      if (overlay?.deleted.has(key) === true) continue
      if (separator !== undefined) out.push(separator)
      out.push(bytes.subarray(startOf(doc, key), startOf(doc, key + 1)))
      const replaced = overlay?.replaced.get(key)
      if (replaced !== undefined) emitInto(replaced, 0, out)
      else emitInto(doc, key + 1, out)
      const next = keys[k + 1]
      separator = next === undefined ? COMMA : bytes.subarray(endOf(doc, key + 1), startOf(doc, next))
    }
  }
  for (const member of overlay?.added ?? []) {
    if (separator !== undefined) out.push(separator)
    out.push(Buffer.from(quoteString(member.key) + ':', 'utf8'))
    emitInto(member.value, 0, out)
    separator = COMMA
  }
  out.push(bytes.subarray(last === undefined ? close : endOf(doc, last + 1), close + 1))
}

function emitArray (doc: JsonDocument, index: number, out: Uint8Array[]): void {
  const bytes = doc.bytes
  const overlay = doc.overlays?.get(index)
  const elements = originalMembers(doc, index)
  const close = endOf(doc, index) - 1
  let separator: Uint8Array | undefined
  const writeNew = (anchor: number): void => {
    for (const value of overlay?.before.get(anchor) ?? []) {
      if (separator !== undefined) out.push(separator)
      emitInto(value, 0, out)
      separator = COMMA
    }
  }
  const last = elements[elements.length - 1]
  if (last === undefined) {
    out.push(bytes.subarray(startOf(doc, index), close))
  } else {
    out.push(bytes.subarray(startOf(doc, index), startOf(doc, elements[0] as number)))
    for (let k = 0; k < elements.length; k++) {
      const element = elements[k] as number
      writeNew(element)
      if (overlay?.deleted.has(element) === true) continue
      if (separator !== undefined) out.push(separator)
      const replaced = overlay?.replaced.get(element)
      if (replaced !== undefined) emitInto(replaced, 0, out)
      else emitInto(doc, element, out)
      const next = elements[k + 1]
      separator = next === undefined ? COMMA : bytes.subarray(endOf(doc, element), startOf(doc, next))
    }
  }
  writeNew(-1)
  out.push(bytes.subarray(last === undefined ? close : endOf(doc, last), close + 1))
}

/** Appends the current bytes of the value at `index` of `doc` to `out`. */
export function emitInto (doc: JsonDocument, index: number, out: Uint8Array[]): void {
  if (index === 0 && doc.rootReplacement !== undefined) { emitInto(doc.rootReplacement, 0, out); return }
  if (doc.dirty?.has(index) !== true) { out.push(doc.bytes.subarray(startOf(doc, index), endOf(doc, index))); return }
  const kind = (doc.tape[index * SLOTS] as number) & KIND_MASK
  if (kind === OBJECT) emitObject(doc, index, out)
  else if (kind === ARRAY) emitArray(doc, index, out)
  else out.push(doc.bytes.subarray(startOf(doc, index), endOf(doc, index)))
}

/** The current bytes of one value (a zero-copy slice when it holds no edits). */
export function emitValueBytes (doc: JsonDocument, index: number): Uint8Array {
  const out: Uint8Array[] = []
  emitInto(doc, index, out)
  return out.length === 1 ? out[0] as Uint8Array : Buffer.concat(out)
}

/** Removes whitespace outside strings; everything else is copied as it is. */
export function compactBytes (bytes: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(bytes.length)
  let o = 0
  let i = 0
  const n = bytes.length
  while (i < n) {
    const c = bytes[i] as number
    if (c === 0x22) {
      // copy the whole string; a backslash always takes the next byte with it
      let j = i + 1
      while (j < n && bytes[j] !== 0x22) j += bytes[j] === 0x5c ? 2 : 1
      out.set(bytes.subarray(i, j + 1), o)
      o += j + 1 - i
      i = j + 1
    } else {
      if (WHITESPACE[c] === 0) out[o++] = c
      i++
    }
  }
  return out.subarray(0, o)
}

/** `doc.emit()`: see `JsonDocument.emit`. */
export function emitDocument (doc: JsonDocument, compact: boolean): Uint8Array {
  if (!doc.changed) {
    if (!compact) return typeof doc.input === 'string' ? doc.bytes : doc.input
    return compactBytes(doc.bytes)
  }
  const bytes = doc.bytes
  const out: Uint8Array[] = [bytes.subarray(0, startOf(doc, 0))]
  emitInto(doc, 0, out)
  out.push(bytes.subarray(endOf(doc, 0)))
  const whole = Buffer.concat(out)
  return compact ? compactBytes(whole) : whole
}
