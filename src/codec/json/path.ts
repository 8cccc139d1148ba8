/**
 * Paths into a document: an array of object keys (strings) and array indexes (numbers).
 */
import { elementAt, findKey } from './members.js'
import { ARRAY, KIND_MASK, OBJECT, SLOTS } from './tape.js'
import type { JsonDocument } from './document.js'
import type { Ref } from './overlay.js'

/** A path: `['items', 0, 'sku']`. The empty path is the root. */
export type JsonPath = ReadonlyArray<string | number>

/** Tape kind of the value at `ref`. */
export function kindOf (ref: Ref): number {
  return (ref.doc.tape[ref.index * SLOTS] as number) & KIND_MASK
}

/** The current root of `doc` (following a whole-root replacement). */
export function rootRef (doc: JsonDocument): Ref {
  let current = doc
  while (current.rootReplacement !== undefined) current = current.rootReplacement
  return { doc: current, index: 0 }
}

/** One step down from the container at `ref`, or undefined when absent or of the wrong kind. */
export function child (ref: Ref, step: string | number): Ref | undefined {
  const kind = kindOf(ref)
  if (kind === OBJECT && typeof step === 'string') return findKey(ref.doc, ref.index, step)?.value
  if (kind === ARRAY && typeof step === 'number') return elementAt(ref.doc, ref.index, step)
  return undefined
}

/** Follows `path` from the root of `doc`; undefined when any step is missing. */
export function resolvePath (doc: JsonDocument, path: JsonPath): Ref | undefined {
  let ref: Ref | undefined = rootRef(doc)
  for (const step of path) {
    ref = child(ref, step)
    if (ref === undefined) return undefined
  }
  return ref
}
