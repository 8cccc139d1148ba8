/**
 * The lazy document returned by `scan()`: the input bytes plus the tape of offsets. Reads decode
 * only what they are asked for; edits are recorded as overlays; `emit()` writes bytes.
 */
import type { ScanLimits } from './scan.js'
import type { Overlay } from './overlay.js'
import type { Tape } from './tape.js'
import { JsonValue } from './value.js'
import { resolvePath, type JsonPath } from './path.js'
import { appendAt, deleteAt, insertAt, setAt } from './edit.js'
import { emitDocument, type EmitOptions } from './emit.js'
import { toJS, type ToJSOptions } from './to-js.js'
import type { JsonInput } from './serialize.js'

/** A scanned JSON text. Create it with `scan()`. */
export class JsonDocument {
  /** What was given to `scan()`: the very same object. */
  readonly input: Uint8Array | string
  /** The input as a Buffer over the same memory (a string input is encoded once). */
  readonly bytes: Buffer
  /** The tape (see `tape.ts`); internal to the codec. */
  readonly tape: Int32Array
  /** Number of tape entries. */
  readonly tapeCount: number
  /** Limits used for this document and for values given to its edits. */
  readonly limits: ScanLimits
  /** Internal: edits per container tape index; undefined until the first edit. */
  overlays: Map<number, Overlay> | undefined
  /** Internal: containers that are edited or hold an edited descendant. */
  dirty: Set<number> | undefined
  /** Internal: set when the whole root value was replaced (`set([], value)`). */
  rootReplacement: JsonDocument | undefined
  /** Internal: member lists of containers, built on first access (the map too: most edit values never need it). */
  memberCache: Map<number, Int32Array> | undefined

  /** Use `scan()`. */
  constructor (input: Uint8Array | string, bytes: Buffer, tape: Tape, limits: ScanLimits) {
    this.input = input
    this.bytes = bytes
    this.tape = tape.data
    this.tapeCount = tape.count
    this.limits = limits
  }

  /** The root value, as it currently stands (after edits). */
  get root (): JsonValue {
    if (this.rootReplacement !== undefined) return this.rootReplacement.root
    return new JsonValue(this, 0)
  }

  /** True once any edit has been made. */
  get changed (): boolean {
    return this.dirty !== undefined || this.rootReplacement !== undefined
  }

  /**
   * The value at `path` (keys for objects, indexes for arrays; a single key or index is a path of
   * one), reflecting edits made so far; `undefined` when absent or when a step meets the wrong kind.
   */
  get (path: JsonPath | string | number): JsonValue | undefined {
    const ref = resolvePath(this, typeof path === 'object' ? path : [path])
    return ref === undefined ? undefined : new JsonValue(ref.doc, ref.index)
  }

  /** Whether a value exists at `path`. */
  has (path: JsonPath | string | number): boolean {
    return this.get(path) !== undefined
  }

  /**
   * Sets the value at `path`: replaces an existing member or element, adds a missing key to an
   * object, or appends when the index equals the array length. The parent must exist.
   * Throws `TG_JSON_PATH_NOT_FOUND`, `TG_JSON_WRONG_KIND`, `TG_JSON_BAD_VALUE`, or a syntax error
   * for invalid raw JSON. Returns the document, for chaining.
   */
  set (path: JsonPath, value: JsonInput): this {
    setAt(this, path, value)
    return this
  }

  /**
   * Inserts before the element at `path` (an array index from 0 to the length), or adds a key to
   * an object (`TG_JSON_KEY_EXISTS` when it is present). Returns the document.
   */
  insert (path: JsonPath, value: JsonInput): this {
    insertAt(this, path, value)
    return this
  }

  /** Appends `value` to the array at `path`. Returns the document. */
  append (path: JsonPath, value: JsonInput): this {
    appendAt(this, path, value)
    return this
  }

  /** Deletes the member or element at `path`; false when there was nothing there. */
  delete (path: JsonPath): boolean {
    return deleteAt(this, path)
  }

  /**
   * The document as bytes. Without edits (and without `compact`) this is the input itself (a
   * string input: its UTF-8 bytes). Otherwise untouched subtrees are copied byte for byte and only
   * new values are serialised (minimally, never escaping `/`).
   */
  emit (options?: EmitOptions): Uint8Array {
    return emitDocument(this, options?.compact === true)
  }

  /** {@link emit} as a string; without edits and for a string input, the input string itself. */
  emitText (options?: EmitOptions): string {
    if (typeof this.input === 'string' && !this.changed && options?.compact !== true) return this.input
    const bytes = this.emit(options)
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8')
  }

  /** The whole document as plain JS values; numbers are never silently rounded (see `ToJSOptions`). */
  toJS (options?: ToJSOptions): unknown {
    return toJS(this.root, options)
  }
}
