/**
 * The tape: what {@link scan} records about a document, four 32-bit slots per value, in document
 * order (a container before its children, an object key before its value):
 *   [kind | flags, start byte, end byte (exclusive), link]
 * `link` is, for a container, the tape index just past its subtree (so a reader can skip it in
 * O(1)); for a key, a hash of its raw bytes (for the duplicate check); otherwise unused.
 */

/** Kind of a tape entry (low 4 bits of slot 0). */
export const OBJECT = 1
export const ARRAY = 2
export const STRING = 3
export const NUMBER = 4
export const TRUE = 5
export const FALSE = 6
export const NULL = 7
export const KEY = 8

/** Mask of the kind bits. */
export const KIND_MASK = 0x0f
/** Flag: the string or key contains at least one backslash escape. */
export const ESCAPED = 0x10
/** Flag: the number has neither fraction nor exponent. */
export const INTEGER = 0x20

/** Slots per entry. */
export const SLOTS = 4

/** A scanned document's structure; `data` may be longer than `count * SLOTS`. */
export interface Tape {
  /** The entries. */
  readonly data: Int32Array
  /** Number of entries. */
  readonly count: number
}

/** The kind of a JSON value as the read API names it. */
export type JsonKind = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'

const KIND_NAMES: readonly JsonKind[] = ['null', 'object', 'array', 'string', 'number', 'boolean', 'boolean', 'null', 'string']

/** Read-API name of a tape kind. */
export function kindName (kind: number): JsonKind {
  return KIND_NAMES[kind] ?? 'null'
}

/** Tape index just past the value at `index` (its whole subtree for a container). */
export function nextIndex (data: Int32Array, index: number): number {
  const kind = (data[index * SLOTS] ?? 0) & KIND_MASK
  return kind === OBJECT || kind === ARRAY ? (data[index * SLOTS + 3] ?? 0) : index + 1
}
