/**
 * New values for edits: JS values serialised minimally (no whitespace, `/` never escaped, numbers
 * never rounded), or raw JSON text given by the caller.
 */
import { usageError } from './errors.js'
import { JsonNumber } from './number.js'
import { quoteString } from './strings.js'

/** Raw JSON text to insert as it is (validated when the edit is made). Build it with {@link rawJson}. */
export class RawJson {
  /** The JSON text, as bytes or a string. */
  readonly text: Uint8Array | string

  /** Prefer {@link rawJson}. */
  constructor (text: Uint8Array | string) {
    this.text = text
  }
}

/** Marks `text` as raw JSON for an edit: it is scanned (same limits as the document) and copied byte for byte. */
export function rawJson (text: Uint8Array | string): RawJson {
  return new RawJson(text)
}

/**
 * What an edit accepts: JSON-like JS values (`bigint` and {@link JsonNumber} for exact numbers),
 * {@link RawJson}, or a value read from a document (copied as its current bytes).
 */
export type JsonInput =
  | string | number | bigint | boolean | null
  | JsonNumber | RawJson | { readonly toJsonBytes: () => Uint8Array }
  | readonly JsonInput[]
  | { readonly [key: string]: JsonInput }

function isPlainObject (value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown
  return proto === Object.prototype || proto === null
}

/** Writes `value` as compact JSON text. Throws `TG_JSON_BAD_VALUE` for what JSON cannot hold, `TG_JSON_TOO_DEEP` past `maxDepth`. */
export function serialize (value: unknown, maxDepth: number, checkRaw: (bytes: Uint8Array) => void): string {
  const parts: string[] = []
  write(value, parts, maxDepth, checkRaw)
  return parts.join('')
}

/** Bytes of a raw value: {@link RawJson} text or a document value's current bytes. */
export function rawBytes (value: RawJson | { readonly toJsonBytes: () => Uint8Array }): Uint8Array {
  if (value instanceof RawJson) return typeof value.text === 'string' ? Buffer.from(value.text, 'utf8') : value.text
  return value.toJsonBytes()
}

function write (value: unknown, parts: string[], depthLeft: number, checkRaw: (bytes: Uint8Array) => void): void {
  switch (typeof value) {
    case 'string': parts.push(quoteString(value)); return
    case 'boolean': parts.push(value ? 'true' : 'false'); return
    case 'bigint': parts.push(value.toString()); return
    case 'number':
      if (!Number.isFinite(value)) throw usageError('TG_JSON_BAD_VALUE', `${value} cannot be written as JSON`)
      parts.push(Object.is(value, -0) ? '-0' : String(value))
      return
    case 'object': break
    default: throw usageError('TG_JSON_BAD_VALUE', `a ${typeof value} cannot be written as JSON`)
  }
  if (value === null) { parts.push('null'); return }
  if (value instanceof JsonNumber) { parts.push(value.raw); return }
  if (value instanceof RawJson || 'toJsonBytes' in value) {
    // validated on its own, so raw text like `1,2` cannot slip in two values
    const bytes = rawBytes(value as RawJson)
    checkRaw(bytes)
    parts.push(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'))
    return
  }
  if (depthLeft <= 0) throw usageError('TG_JSON_BAD_VALUE', 'value nested too deeply (or cyclic)')
  if (Array.isArray(value)) {
    parts.push('[')
    for (let k = 0; k < value.length; k++) {
      if (k > 0) parts.push(',')
      write(value[k], parts, depthLeft - 1, checkRaw)
    }
    parts.push(']')
    return
  }
  if (!isPlainObject(value)) throw usageError('TG_JSON_BAD_VALUE', 'only plain objects, arrays and JSON scalars can be written')
  parts.push('{')
  let first = true
  for (const key of Object.keys(value)) {
    const member = (value as Record<string, unknown>)[key]
    if (member === undefined) throw usageError('TG_JSON_BAD_VALUE', `undefined at key ${JSON.stringify(key)}`)
    if (!first) parts.push(',')
    first = false
    parts.push(quoteString(key), ':')
    write(member, parts, depthLeft - 1, checkRaw)
  }
  parts.push('}')
}
