/**
 * Coded errors of the JSON codec. Codes are stable API: callers branch on `code`, never on the
 * message. The codec depends on nothing of the gateway, so the codes live here; a body-reading
 * plugin maps them to its own reply (e.g. 400 for syntax, 413 for size).
 */

/** Codes raised by {@link scan} (and by edits given raw JSON text) for input that is not accepted. */
export type JsonSyntaxCode =
  | 'TG_JSON_UNEXPECTED_END'
  | 'TG_JSON_UNEXPECTED_CHAR'
  | 'TG_JSON_TRAILING_COMMA'
  | 'TG_JSON_LEADING_ZERO'
  | 'TG_JSON_BAD_NUMBER'
  | 'TG_JSON_NON_FINITE'
  | 'TG_JSON_SINGLE_QUOTE'
  | 'TG_JSON_COMMENT'
  | 'TG_JSON_CONTROL_CHAR'
  | 'TG_JSON_BAD_ESCAPE'
  | 'TG_JSON_INVALID_UTF8'
  | 'TG_JSON_BOM'
  | 'TG_JSON_TRAILING_DATA'
  | 'TG_JSON_DUPLICATE_KEY'
  | 'TG_JSON_TOO_DEEP'
  | 'TG_JSON_TOO_LARGE'

/** Codes raised by reads, edits and conversions on a scanned document. */
export type JsonUsageCode =
  | 'TG_JSON_PATH_NOT_FOUND'
  | 'TG_JSON_WRONG_KIND'
  | 'TG_JSON_KEY_EXISTS'
  | 'TG_JSON_BAD_VALUE'
  | 'TG_JSON_NOT_INTEGER'
  | 'TG_JSON_BAD_OPTION'

/** Every code the codec can raise. */
export type JsonErrorCode = JsonSyntaxCode | JsonUsageCode

/** Base class of every error the codec throws; `code` is one of {@link JsonErrorCode}. */
export class JsonCodecError extends Error {
  /** Stable code, e.g. `TG_JSON_DUPLICATE_KEY`. */
  readonly code: JsonErrorCode
  /** Short reason, without position (the message adds the position when there is one). */
  readonly reason: string

  constructor (code: JsonErrorCode, reason: string, message: string = reason) {
    super(message)
    this.name = 'JsonCodecError'
    this.code = code
    this.reason = reason
  }
}

/**
 * Input rejected by {@link scan}. `offset` is the 0-based byte offset of the offending byte (for
 * `TG_JSON_TOO_LARGE`: the limit), `line` is 1-based and counts LF bytes, `column` is 1-based and
 * counts Unicode code points (UTF-8 lead bytes) from the start of the line.
 */
export class JsonSyntaxError extends JsonCodecError {
  /** 0-based byte offset of the offending byte. */
  readonly offset: number
  /** 1-based line (LF-separated). */
  readonly line: number
  /** 1-based column in code points. */
  readonly column: number

  constructor (code: JsonSyntaxCode, reason: string, offset: number, line: number, column: number) {
    super(code, reason, `${reason} at line ${line} column ${column} (byte ${offset})`)
    this.name = 'JsonSyntaxError'
    this.offset = offset
    this.line = line
    this.column = column
  }
}

/** Builds a {@link JsonSyntaxError}, working out line and column from the bytes (only on error). */
export function syntaxError (bytes: Uint8Array, code: JsonSyntaxCode, offset: number, reason: string): JsonSyntaxError {
  const at = Math.min(Math.max(offset, 0), bytes.length)
  let line = 1
  let lineStart = 0
  for (let i = 0; i < at; i++) {
    if (bytes[i] === 0x0a) { line++; lineStart = i + 1 }
  }
  let column = 1
  for (let i = lineStart; i < at; i++) {
    // count code points: every byte that is not a UTF-8 continuation byte starts one
    if (((bytes[i] ?? 0) & 0xc0) !== 0x80) column++
  }
  return new JsonSyntaxError(code, reason, offset, line, column)
}

/** Builds a usage error (bad path, wrong kind, unserialisable value, bad option). */
export function usageError (code: JsonUsageCode, reason: string): JsonCodecError {
  return new JsonCodecError(code, reason)
}
