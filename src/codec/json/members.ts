/**
 * Member lookup in a container, through its overlay when it has been edited: the one place that
 * knows how original members, replacements, deletions and additions combine.
 */
import { decodeString } from './strings.js'
import { ESCAPED, KIND_MASK, SLOTS, nextIndex } from './tape.js'
import type { JsonDocument } from './document.js'
import type { Ref } from './overlay.js'

/** Original members of the container at `index`: key tape indexes (objects) or element indexes (arrays). */
export function originalMembers (doc: JsonDocument, index: number): Int32Array {
  const cached = doc.memberCache?.get(index)
  if (cached !== undefined) return cached
  const tape = doc.tape
  const end = tape[index * SLOTS + 3] as number
  const isObject = ((tape[index * SLOTS] as number) & KIND_MASK) === 1
  // counted first, then filled: no intermediate array (Int32Array.from would also go through an iterator)
  let count = 0
  for (let k = index + 1; k < end; k = nextIndex(tape, isObject ? k + 1 : k)) count++
  const members = new Int32Array(count)
  count = 0
  for (let k = index + 1; k < end; k = nextIndex(tape, isObject ? k + 1 : k)) members[count++] = k
  doc.memberCache ??= new Map()
  doc.memberCache.set(index, members)
  return members
}

/** Decoded text of the key entry at tape index `key`. */
export function keyText (doc: JsonDocument, key: number): string {
  const e = key * SLOTS
  return decodeString(doc.bytes, (doc.tape[e + 1] as number) + 1, (doc.tape[e + 2] as number) - 1, ((doc.tape[e] as number) & ESCAPED) !== 0)
}

/** Whether every character of `text` is ASCII, so that its UTF-8 bytes are its char codes. */
function isAscii (text: string): boolean {
  for (let k = 0; k < text.length; k++) if (text.charCodeAt(k) > 0x7f) return false
  return true
}

/**
 * Whether the key entry `key` decodes to `text`. `utf8` is `text` as UTF-8 bytes, `'ascii'` when
 * `text` is ASCII (then its char codes are its bytes: no encoding per lookup), or undefined when
 * `text` is not well-formed UTF-16 (then the key is decoded and compared as a string).
 */
function keyEquals (doc: JsonDocument, key: number, text: string, utf8: Buffer | 'ascii' | undefined): boolean {
  const e = key * SLOTS
  if (utf8 === undefined || ((doc.tape[e] as number) & ESCAPED) !== 0) return keyText(doc, key) === text
  const start = (doc.tape[e + 1] as number) + 1
  const length = (doc.tape[e + 2] as number) - 1 - start
  const bytes = doc.bytes
  if (utf8 === 'ascii') {
    if (length !== text.length) return false
    for (let k = 0; k < length; k++) if (bytes[start + k] !== text.charCodeAt(k)) return false
    return true
  }
  if (length !== utf8.length) return false
  for (let k = 0; k < length; k++) if (bytes[start + k] !== utf8[k]) return false
  return true
}

/** Where a key of an object lives: an original key entry, or a position in `added`. */
export interface KeyHit {
  /** Original key tape index, or -1 when the member was added by an edit. */
  readonly key: number
  /** Position in the overlay's `added` list, or -1. */
  readonly added: number
  /** The member's current value. */
  readonly value: Ref
}

/** Finds `text` among the current members of the object at `index`. */
export function findKey (doc: JsonDocument, index: number, text: string): KeyHit | undefined {
  const overlay = doc.overlays?.get(index)
  // a key that is not well-formed UTF-16 cannot be compared as UTF-8 bytes
  const utf8 = isAscii(text) ? 'ascii' : isWellFormed(text) ? Buffer.from(text, 'utf8') : undefined
  for (const key of originalMembers(doc, index)) {
    if (overlay?.deleted.has(key) === true) continue
    if (!keyEquals(doc, key, text, utf8)) continue
    const replaced = overlay?.replaced.get(key)
    return { key, added: -1, value: replaced !== undefined ? { doc: replaced, index: 0 } : { doc, index: key + 1 } }
  }
  if (overlay === undefined) return undefined
  const added = overlay.added.findIndex((member) => member.key === text)
  const member = overlay.added[added]
  return member === undefined ? undefined : { key: -1, added, value: { doc: member.value, index: 0 } }
}

/** One element of an array as it currently stands. */
export interface Element {
  /** Original element tape index this entry is (slot -1) or sits before (-1 = end of array). */
  readonly anchor: number
  /** -1 for an original element, else the position in the overlay's `before` list of `anchor`. */
  readonly slot: number
  /** The element's current value. */
  readonly value: Ref
}

/** The current elements of the array at `index`, in order. */
export function currentElements (doc: JsonDocument, index: number): Element[] {
  const overlay = doc.overlays?.get(index)
  const out: Element[] = []
  const pushBefore = (anchor: number): void => {
    const list = overlay?.before.get(anchor)
    if (list !== undefined) list.forEach((value, slot) => out.push({ anchor, slot, value: { doc: value, index: 0 } }))
  }
  for (const element of originalMembers(doc, index)) {
    pushBefore(element)
    if (overlay?.deleted.has(element) === true) continue
    const replaced = overlay?.replaced.get(element)
    out.push({ anchor: element, slot: -1, value: replaced !== undefined ? { doc: replaced, index: 0 } : { doc, index: element } })
  }
  pushBefore(-1)
  return out
}

/** The element at position `position` of the array at `index`, or undefined when out of range. */
export function elementAt (doc: JsonDocument, index: number, position: number): Ref | undefined {
  if (!Number.isInteger(position) || position < 0) return undefined
  if (doc.overlays?.has(index) !== true) {
    const members = originalMembers(doc, index)
    const element = members[position]
    return element === undefined ? undefined : { doc, index: element }
  }
  return currentElements(doc, index)[position]?.value
}

/** Current object members as [key, value] pairs, in emit order. */
export function currentEntries (doc: JsonDocument, index: number): Array<[string, Ref]> {
  const overlay = doc.overlays?.get(index)
  const out: Array<[string, Ref]> = []
  for (const key of originalMembers(doc, index)) {
    if (overlay?.deleted.has(key) === true) continue
    const replaced = overlay?.replaced.get(key)
    out.push([keyText(doc, key), replaced !== undefined ? { doc: replaced, index: 0 } : { doc, index: key + 1 }])
  }
  if (overlay !== undefined) for (const member of overlay.added) out.push([member.key, { doc: member.value, index: 0 }])
  return out
}

/** Whether `text` is well-formed UTF-16 (no lone surrogates). */
export function isWellFormed (text: string): boolean {
  return (text as unknown as { isWellFormed: () => boolean }).isWellFormed()
}
