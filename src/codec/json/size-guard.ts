/**
 * Reading a body with a size limit that holds while it streams: chunks are counted as they arrive
 * and reading stops at the first byte over the limit, so a client cannot make a worker buffer more
 * than `maxBytes` (plus one chunk) however large the body it sends.
 */
import { JsonSyntaxError } from './errors.js'

function tooLarge (seen: number, maxBytes: number): JsonSyntaxError {
  return new JsonSyntaxError('TG_JSON_TOO_LARGE', `body of at least ${seen} bytes is over the limit of ${maxBytes}`, maxBytes, 1, 1)
}

/** Counts bytes pushed into it and keeps them, up to `maxBytes`; then throws `TG_JSON_TOO_LARGE`. */
export class SizeGuard {
  /** The limit in bytes. */
  readonly maxBytes: number
  private readonly chunks: Uint8Array[] = []
  private seen = 0

  /** `maxBytes`: a positive integer or Infinity; anything else is misuse and throws a RangeError. */
  constructor (maxBytes: number) {
    if (!(maxBytes === Infinity || (Number.isInteger(maxBytes) && maxBytes > 0))) throw new RangeError('maxBytes must be a positive integer or Infinity')
    this.maxBytes = maxBytes
  }

  /** Bytes accepted so far. */
  get bytesSeen (): number {
    return this.seen
  }

  /**
   * Refuses a body whose declared length (e.g. Content-Length) is already over the limit, before
   * any byte is read. Undefined or non-numeric lengths are ignored (chunk counting still applies).
   */
  checkDeclared (length: number | string | undefined): void {
    const declared = typeof length === 'string' ? Number(length) : length
    if (declared !== undefined && Number.isFinite(declared) && declared > this.maxBytes) throw tooLarge(declared, this.maxBytes)
  }

  /** Adds one chunk; throws `TG_JSON_TOO_LARGE` (keeping nothing more) once the total is over the limit. */
  push (chunk: Uint8Array): void {
    this.seen += chunk.length
    if (this.seen > this.maxBytes) {
      this.chunks.length = 0
      throw tooLarge(this.seen, this.maxBytes)
    }
    this.chunks.push(chunk)
  }

  /** All bytes pushed, as one Buffer (the chunk itself when there was only one Buffer). */
  concat (): Buffer {
    const only = this.chunks[0]
    if (this.chunks.length === 1 && only !== undefined && Buffer.isBuffer(only)) return only
    return Buffer.concat(this.chunks, this.seen)
  }
}

/** Options of {@link readBody}. */
export interface ReadBodyOptions {
  /** Limit in bytes (required: there is no safe default for every route). */
  maxBytes: number
  /** Declared length (e.g. the Content-Length header), refused up front when over the limit. */
  declaredLength?: number | string
}

/**
 * Reads a whole body from a stream (any async iterable of chunks, e.g. an IncomingMessage) under a
 * size limit. Stops reading at the first chunk over the limit, which ends the iteration (a Node
 * stream is then destroyed), and throws `TG_JSON_TOO_LARGE`. Resolves to the body bytes.
 */
export async function readBody (source: AsyncIterable<Uint8Array | string>, options: ReadBodyOptions): Promise<Buffer> {
  const guard = new SizeGuard(options.maxBytes)
  guard.checkDeclared(options.declaredLength)
  for await (const chunk of source) {
    guard.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk)
  }
  return guard.concat()
}
