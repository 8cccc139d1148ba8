/**
 * The response body held back while it arrives, up to a cap. Past the cap the held chunks are let
 * go unchanged and the rest streams: a response too large to edit is still delivered whole.
 */
export class BodyBuffer {
  private chunks: Buffer[] = []
  private size = 0
  /** True once the body went past the cap: no longer held. */
  overflowed = false
  private readonly maxBytes: number

  constructor (maxBytes: number) {
    this.maxBytes = maxBytes
  }

  /**
   * Takes one chunk. Returns what to send now: an empty Buffer while holding, or (once past the
   * cap) the held bytes and this chunk, then each later chunk as it comes.
   */
  push (chunk: Buffer): Buffer {
    if (this.overflowed) return chunk
    this.size += chunk.length
    if (this.size <= this.maxBytes) {
      if (chunk.length > 0) this.chunks.push(chunk)
      return EMPTY
    }
    this.overflowed = true
    const out = Buffer.concat([...this.chunks, chunk])
    this.chunks = []
    return out
  }

  /** Everything held, as one Buffer (the only chunk itself when there was one). */
  take (): Buffer {
    const out = this.chunks.length === 1 ? this.chunks[0] as Buffer : Buffer.concat(this.chunks, this.size)
    this.chunks = []
    return out
  }
}

const EMPTY = Buffer.alloc(0)
