/**
 * A view of one value in a document: cheap to create, decodes nothing until asked.
 */
import { usageError } from './errors.js'
import { JsonNumber } from './number.js'
import { currentElements, currentEntries, originalMembers } from './members.js'
import { child, kindOf } from './path.js'
import { decodeString } from './strings.js'
import { ARRAY, ESCAPED, FALSE, KIND_MASK, NULL, NUMBER, OBJECT, SLOTS, STRING, TRUE, kindName, type JsonKind } from './tape.js'
import { emitValueBytes } from './emit.js'
import { toJS, type ToJSOptions } from './to-js.js'
import type { JsonDocument } from './document.js'
import type { Ref } from './overlay.js'

/**
 * One value of a document. Container reads (`get`, `keys`, `length`, ...) reflect edits made
 * through the document since; `raw()` of a container holding edits returns its new bytes. A view
 * of a value that an edit later replaced or deleted keeps showing the old value.
 */
export class JsonValue {
  /** The document (or an edit's value document) that holds this value. */
  readonly doc: JsonDocument
  /** Tape index of the value; internal. */
  readonly index: number

  /** Views are made by the document; internal. */
  constructor (doc: JsonDocument, index: number) {
    this.doc = doc
    this.index = index
  }

  private get flags (): number {
    return this.doc.tape[this.index * SLOTS] as number
  }

  /** `'object' | 'array' | 'string' | 'number' | 'boolean' | 'null'`. */
  get kind (): JsonKind {
    return kindName(this.flags & KIND_MASK)
  }

  /** Byte offset of the value's first byte in `doc.bytes`. */
  get start (): number {
    return this.doc.tape[this.index * SLOTS + 1] as number
  }

  /** Byte offset just past the value's last byte in `doc.bytes`. */
  get end (): number {
    return this.doc.tape[this.index * SLOTS + 2] as number
  }

  /** The value's bytes: a zero-copy slice of the input when untouched, new bytes for an edited container. */
  raw (): Uint8Array {
    return emitValueBytes(this.doc, this.index)
  }

  /** Same as {@link raw}; lets a view be given to an edit, which copies it as it is. */
  toJsonBytes (): Uint8Array {
    return this.raw()
  }

  /** {@link raw} as a string (for a string value: with quotes and escapes as written). */
  text (): string {
    const bytes = this.raw()
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
  }

  /** The decoded string. Throws `TG_JSON_WRONG_KIND` for other kinds. */
  string (): string {
    if ((this.flags & KIND_MASK) !== STRING) throw usageError('TG_JSON_WRONG_KIND', `expected a string, found ${this.kind}`)
    return decodeString(this.doc.bytes, this.start + 1, this.end - 1, (this.flags & ESCAPED) !== 0)
  }

  /** The number as exact text ({@link JsonNumber}). Throws `TG_JSON_WRONG_KIND` for other kinds. */
  number (): JsonNumber {
    if ((this.flags & KIND_MASK) !== NUMBER) throw usageError('TG_JSON_WRONG_KIND', `expected a number, found ${this.kind}`)
    return new JsonNumber(this.doc.bytes.toString('latin1', this.start, this.end))
  }

  /** The boolean. Throws `TG_JSON_WRONG_KIND` for other kinds. */
  boolean (): boolean {
    const kind = this.flags & KIND_MASK
    if (kind !== TRUE && kind !== FALSE) throw usageError('TG_JSON_WRONG_KIND', `expected a boolean, found ${this.kind}`)
    return kind === TRUE
  }

  /** True for `null`. */
  get isNull (): boolean {
    return (this.flags & KIND_MASK) === NULL
  }

  /** The member `key` of an object or the element `index` of an array; undefined when absent or of another kind. */
  get (step: string | number): JsonValue | undefined {
    const ref = child(this, step)
    return ref === undefined ? undefined : new JsonValue(ref.doc, ref.index)
  }

  /** Follows a path from this value. */
  at (path: ReadonlyArray<string | number>): JsonValue | undefined {
    let ref: Ref | undefined = { doc: this.doc, index: this.index }
    for (const step of path) {
      ref = child(ref, step)
      if (ref === undefined) return undefined
    }
    return new JsonValue(ref.doc, ref.index)
  }

  /** Number of members (object) or elements (array); 0 for scalars. */
  get length (): number {
    const kind = kindOf(this)
    if (kind !== OBJECT && kind !== ARRAY) return 0
    if (this.doc.overlays?.has(this.index) !== true) return originalMembers(this.doc, this.index).length
    return kind === OBJECT ? currentEntries(this.doc, this.index).length : currentElements(this.doc, this.index).length
  }

  /** The keys of an object, decoded, in document order; [] for other kinds. */
  keys (): string[] {
    return this.entries().map(([key]) => key)
  }

  /** The members of an object as [key, value]; [] for other kinds. */
  entries (): Array<[string, JsonValue]> {
    if (kindOf(this) !== OBJECT) return []
    return currentEntries(this.doc, this.index).map(([key, ref]) => [key, new JsonValue(ref.doc, ref.index)])
  }

  /** The elements of an array; [] for other kinds. */
  elements (): JsonValue[] {
    if (kindOf(this) !== ARRAY) return []
    return currentElements(this.doc, this.index).map((element) => new JsonValue(element.value.doc, element.value.index))
  }

  /** This value as plain JS (see `ToJSOptions`). */
  toJS (options?: ToJSOptions): unknown {
    return toJS(this, options)
  }
}
