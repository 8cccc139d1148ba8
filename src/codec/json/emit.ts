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

/**
 * The output of an emit as byte ranges of source buffers. A range that starts where the previous
 * one (of the same buffer) ended extends it, so the untouched members around an edit, with their
 * separators, become one range, and the bytes are copied once into one buffer at the end.
 */
export class ByteRanges {
  private readonly sources: Buffer[] = []
  private readonly starts: number[] = []
  private readonly ends: number[] = []
  /** Total bytes so far. */
  length = 0

  /** Appends `source[start, end)`. */
  add (source: Buffer, start: number, end: number): void {
    if (end <= start) return
    const last = this.sources.length - 1
    if (last >= 0 && this.sources[last] === source && this.ends[last] === start) this.ends[last] = end
    else { this.sources.push(source); this.starts.push(start); this.ends.push(end) }
    this.length += end - start
  }

  /** The bytes as one new buffer. */
  copy (): Buffer {
    const out = Buffer.allocUnsafe(this.length)
    let at = 0
    for (let k = 0; k < this.sources.length; k++) {
      at += (this.sources[k] as Buffer).copy(out, at, this.starts[k], this.ends[k])
    }
    return out
  }

  /** The bytes: a zero-copy slice when they are one range, else a new buffer. */
  view (): Buffer {
    if (this.sources.length === 1) return (this.sources[0] as Buffer).subarray(this.starts[0], this.ends[0])
    return this.sources.length === 0 ? Buffer.alloc(0) : this.copy()
  }
}

function startOf (doc: JsonDocument, index: number): number {
  return doc.tape[index * SLOTS + 1] as number
}

function endOf (doc: JsonDocument, index: number): number {
  return doc.tape[index * SLOTS + 2] as number
}

// The separator before the next member, as numbers (no object per member): NO_SEPARATOR before
// the first, NEW_SEPARATOR (a bare comma) after the last original member, else the input range
// [separatorStart, separatorEnd) that stood between two original members.
const NO_SEPARATOR = -1
const NEW_SEPARATOR = -2

function addSeparator (out: ByteRanges, bytes: Buffer, start: number, end: number): void {
  if (start === NEW_SEPARATOR) out.add(COMMA, 0, 1)
  else if (start !== NO_SEPARATOR) out.add(bytes, start, end)
}

function emitObject (doc: JsonDocument, index: number, out: ByteRanges): void {
  const bytes = doc.bytes
  const overlay = doc.overlays?.get(index)
  const keys = originalMembers(doc, index)
  const close = endOf(doc, index) - 1
  let separatorStart = NO_SEPARATOR
  let separatorEnd = 0
  const last = keys[keys.length - 1]
  if (last === undefined) {
    out.add(bytes, startOf(doc, index), close)
  } else {
    out.add(bytes, startOf(doc, index), startOf(doc, keys[0] as number))
    for (let k = 0; k < keys.length; k++) {
      const key = keys[k] as number
      if (overlay?.deleted.has(key) === true) continue
      addSeparator(out, bytes, separatorStart, separatorEnd)
      out.add(bytes, startOf(doc, key), startOf(doc, key + 1))
      const replaced = overlay?.replaced.get(key)
      if (replaced !== undefined) emitInto(replaced, 0, out)
      else emitInto(doc, key + 1, out)
      const next = keys[k + 1]
      if (next === undefined) separatorStart = NEW_SEPARATOR
      else { separatorStart = endOf(doc, key + 1); separatorEnd = startOf(doc, next) }
    }
  }
  for (const member of overlay?.added ?? []) {
    addSeparator(out, bytes, separatorStart, separatorEnd)
    const key = Buffer.from(quoteString(member.key) + ':', 'utf8')
    out.add(key, 0, key.length)
    emitInto(member.value, 0, out)
    separatorStart = NEW_SEPARATOR
  }
  out.add(bytes, last === undefined ? close : endOf(doc, last + 1), close + 1)
}

function emitArray (doc: JsonDocument, index: number, out: ByteRanges): void {
  const bytes = doc.bytes
  const overlay = doc.overlays?.get(index)
  const elements = originalMembers(doc, index)
  const close = endOf(doc, index) - 1
  let separatorStart = NO_SEPARATOR
  let separatorEnd = 0
  const writeNew = (anchor: number): void => {
    for (const value of overlay?.before.get(anchor) ?? []) {
      addSeparator(out, bytes, separatorStart, separatorEnd)
      emitInto(value, 0, out)
      separatorStart = NEW_SEPARATOR
    }
  }
  const last = elements[elements.length - 1]
  if (last === undefined) {
    out.add(bytes, startOf(doc, index), close)
  } else {
    out.add(bytes, startOf(doc, index), startOf(doc, elements[0] as number))
    for (let k = 0; k < elements.length; k++) {
      const element = elements[k] as number
      writeNew(element)
      if (overlay?.deleted.has(element) === true) continue
      addSeparator(out, bytes, separatorStart, separatorEnd)
      const replaced = overlay?.replaced.get(element)
      if (replaced !== undefined) emitInto(replaced, 0, out)
      else emitInto(doc, element, out)
      const next = elements[k + 1]
      if (next === undefined) separatorStart = NEW_SEPARATOR
      else { separatorStart = endOf(doc, element); separatorEnd = startOf(doc, next) }
    }
  }
  writeNew(-1)
  out.add(bytes, last === undefined ? close : endOf(doc, last), close + 1)
}

/** Appends the current bytes of the value at `index` of `doc` to `out`. */
export function emitInto (doc: JsonDocument, index: number, out: ByteRanges): void {
  if (index === 0 && doc.rootReplacement !== undefined) { emitInto(doc.rootReplacement, 0, out); return }
  if (doc.dirty?.has(index) !== true) { out.add(doc.bytes, startOf(doc, index), endOf(doc, index)); return }
  const kind = (doc.tape[index * SLOTS] as number) & KIND_MASK
  if (kind === OBJECT) emitObject(doc, index, out)
  else if (kind === ARRAY) emitArray(doc, index, out)
  else out.add(doc.bytes, startOf(doc, index), endOf(doc, index))
}

/** The current bytes of one value (a zero-copy slice when it holds no edits). */
export function emitValueBytes (doc: JsonDocument, index: number): Uint8Array {
  const out = new ByteRanges()
  emitInto(doc, index, out)
  return out.view()
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
  const out = new ByteRanges()
  out.add(bytes, 0, startOf(doc, 0))
  emitInto(doc, 0, out)
  out.add(bytes, endOf(doc, 0), bytes.length)
  const whole = out.copy()
  return compact ? compactBytes(whole) : whole
}
