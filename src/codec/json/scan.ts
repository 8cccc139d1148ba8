/**
 * `scan()`: the codec's entry point. Checks limits, BOM and UTF-8, runs the validating scanner and
 * wraps the result in a lazy {@link JsonDocument}.
 */
import { isUtf8 } from 'node:buffer'
import { JsonSyntaxError, syntaxError, usageError } from './errors.js'
import { JsonDocument } from './document.js'
import { isWellFormed } from './members.js'
import { scanTape } from './scan-tape.js'
import { findInvalidUtf8 } from './utf8.js'

/** Limits and policies of {@link scan}. */
export interface ScanOptions {
  /** Deepest nesting of arrays and objects accepted. Default 128; an integer from 1 to 1024. */
  maxDepth?: number
  /** Largest input accepted, in bytes. Default 16 MiB (16,777,216); a positive integer or `Infinity`. */
  maxBytes?: number
  /**
   * `'reject'` (default): an object repeating a key (compared after decoding escapes) is
   * `TG_JSON_DUPLICATE_KEY`, since two readers may pick different values. `'allow'`: accepted and
   * kept as written; lookups by key then find the first occurrence.
   */
  duplicateKeys?: 'reject' | 'allow'
}

/** {@link ScanOptions} with every default filled in. */
export interface ScanLimits {
  /** See {@link ScanOptions.maxDepth}. */
  readonly maxDepth: number
  /** See {@link ScanOptions.maxBytes}. */
  readonly maxBytes: number
  /** See {@link ScanOptions.duplicateKeys}. */
  readonly duplicateKeys: 'reject' | 'allow'
}

/** Default nesting limit (issue 4). */
export const DEFAULT_MAX_DEPTH = 128
/** Default size limit: 16 MiB, above the largest order bodies seen and far below worker memory. */
export const DEFAULT_MAX_BYTES = 16 * 1024 * 1024
/** Highest accepted `maxDepth`: `toJS()` and `emit()` recurse once per level, and 1024 levels fit a default Node stack with room to spare. */
export const MAX_DEPTH_LIMIT = 1024

const DEFAULT_LIMITS: ScanLimits = { maxDepth: DEFAULT_MAX_DEPTH, maxBytes: DEFAULT_MAX_BYTES, duplicateKeys: 'reject' }

/** Fills in defaults and checks `options`; throws `TG_JSON_BAD_OPTION` naming the bad option. */
export function resolveScanOptions (options: ScanOptions | undefined): ScanLimits {
  if (options === undefined) return DEFAULT_LIMITS
  const maxDepth = options.maxDepth ?? DEFAULT_MAX_DEPTH
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES
  const duplicateKeys = options.duplicateKeys ?? 'reject'
  if (!Number.isInteger(maxDepth) || maxDepth < 1 || maxDepth > MAX_DEPTH_LIMIT) {
    throw usageError('TG_JSON_BAD_OPTION', `maxDepth must be an integer from 1 to ${MAX_DEPTH_LIMIT}`)
  }
  if (!(maxBytes === Infinity || (Number.isInteger(maxBytes) && maxBytes > 0))) {
    throw usageError('TG_JSON_BAD_OPTION', 'maxBytes must be a positive integer or Infinity')
  }
  if (duplicateKeys !== 'reject' && duplicateKeys !== 'allow') {
    throw usageError('TG_JSON_BAD_OPTION', "duplicateKeys must be 'reject' or 'allow'")
  }
  return { maxDepth, maxBytes, duplicateKeys }
}

function loneSurrogateError (text: string): JsonSyntaxError {
  const at = text.search(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/)
  const bytes = Buffer.from(text.slice(0, Math.max(at, 0)), 'utf8')
  return syntaxError(bytes, 'TG_JSON_INVALID_UTF8', bytes.length, 'lone surrogate in string input cannot be encoded as UTF-8')
}

function toBuffer (input: Uint8Array): Buffer {
  return Buffer.isBuffer(input) ? input : Buffer.from(input.buffer, input.byteOffset, input.length)
}

/**
 * Validates `input` as one strict RFC 8259 JSON text and returns a lazy document over it (the
 * bytes are not copied; do not modify them while the document is in use). A string is encoded
 * to UTF-8 first; with no edits, `emit()` then returns those bytes and `emitText()` the string.
 *
 * Throws {@link JsonSyntaxError} (code, byte offset, line, column, reason) for: trailing commas,
 * leading zeros, NaN/Infinity, single quotes, comments, unescaped control characters, bad escapes
 * (including short `\u`), invalid UTF-8, a BOM, text after the value, duplicate keys, nesting past
 * `maxDepth`, size past `maxBytes`; and `TG_JSON_BAD_OPTION` for bad options.
 */
export function scan (input: Uint8Array | string, options?: ScanOptions): JsonDocument {
  return scanWithLimits(input, resolveScanOptions(options))
}

/** {@link scan} with limits already resolved (edits reuse their document's). */
export function scanWithLimits (input: Uint8Array | string, limits: ScanLimits): JsonDocument {
  if (typeof input === 'string' && !isWellFormed(input)) throw loneSurrogateError(input)
  const bytes = typeof input === 'string' ? Buffer.from(input, 'utf8') : toBuffer(input)
  if (bytes.length > limits.maxBytes) {
    throw new JsonSyntaxError('TG_JSON_TOO_LARGE', `input of ${bytes.length} bytes is over the limit of ${limits.maxBytes}`, limits.maxBytes, 1, 1)
  }
  const b0 = bytes[0]
  if ((b0 === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) || (b0 === 0xfe && bytes[1] === 0xff) || (b0 === 0xff && bytes[1] === 0xfe)) {
    throw syntaxError(bytes, 'TG_JSON_BOM', 0, 'byte order mark before the JSON text')
  }
  const rejectDuplicates = limits.duplicateKeys === 'reject'
  if (!isUtf8(bytes)) {
    const bad = findInvalidUtf8(bytes)
    try {
      scanTape(bytes, limits.maxDepth, rejectDuplicates)
    } catch (error) {
      // report whichever problem comes first in the input
      if (error instanceof JsonSyntaxError && error.offset < bad) throw error
    }
    throw syntaxError(bytes, 'TG_JSON_INVALID_UTF8', bad, 'invalid UTF-8 byte sequence')
  }
  return new JsonDocument(input, bytes, scanTape(bytes, limits.maxDepth, rejectDuplicates), limits)
}
