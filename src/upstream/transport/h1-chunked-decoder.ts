// Incremental decoder of a chunked response body (RFC 9112 §7.1). Strict: the size is hex
// digits only, every CR is followed by LF, data is followed by CRLF; extensions are skipped and
// trailers read and discarded. Any violation throws H1ParseError.
import { H1ParseError } from './h1-head-parser.js'

const CR = 13
const LF = 10
const SP = 32
const HTAB = 9
const SEMICOLON = 59

const SIZE = 0
const SIZE_WS = 1
const EXTENSION = 2
const SIZE_LF = 3
const DATA = 4
const DATA_CR = 5
const DATA_LF = 6
const TRAILER_START = 7
const TRAILER_LINE = 8
const TRAILER_LF = 9
const FINAL_LF = 10
const DONE = 11

/** Hex digit value of a byte, or -1. */
const HEX = new Int8Array(256).fill(-1)
for (let i = 0; i < 10; i++) HEX[48 + i] = i
for (let i = 0; i < 6; i++) {
  HEX[65 + i] = 10 + i
  HEX[97 + i] = 10 + i
}

/** Above this a further hex digit could overflow exact doubles (2^48 · 16 = 2^52). */
const MAX_SIZE_BEFORE_DIGIT = 2 ** 48
/** Longest chunk-extension or trailer section read, in bytes; both are discarded. */
const MAX_METADATA_BYTES = 64 * 1024

/** Receives the decoded data of a chunked body. */
export interface ChunkSink {
  /** Called with a view into the socket's buffer, no copy. Returns false to stop decoding (the exchange ended). */
  onBodyChunk (chunk: Buffer): boolean
}

/** One chunked body. Reset it with `reset()` before reusing it for the next response. */
export class ChunkedDecoder {
  private state = SIZE
  private size = 0
  private digits = 0
  private metadataBytes = 0

  /** True once the last chunk and the trailer section have been read. */
  get done (): boolean {
    return this.state === DONE
  }

  reset (): void {
    this.state = SIZE
    this.size = 0
    this.digits = 0
    this.metadataBytes = 0
  }

  /**
   * Decodes `buf` from `start`. Returns the index just after the body when it ended inside
   * `buf`, otherwise `buf.length` (also when the sink asked to stop).
   */
  decode (buf: Buffer, start: number, sink: ChunkSink): number {
    const len = buf.length
    let i = start
    while (i < len) {
      const c = buf[i] as number
      switch (this.state) {
        case SIZE: {
          const h = HEX[c] as number
          if (h >= 0) {
            if (this.size >= MAX_SIZE_BEFORE_DIGIT) throw new H1ParseError('chunk size too large')
            this.size = this.size * 16 + h
            this.digits++
          } else if (this.digits === 0) {
            throw new H1ParseError('invalid chunk size')
          } else if (c === CR) {
            this.state = SIZE_LF
          } else if (c === SEMICOLON) {
            this.state = EXTENSION
          } else if (c === SP || c === HTAB) {
            this.state = SIZE_WS
          } else {
            throw new H1ParseError('invalid chunk size')
          }
          i++
          break
        }
        case SIZE_WS:
          if (c === SEMICOLON) this.state = EXTENSION
          else if (c === CR) this.state = SIZE_LF
          else if (c !== SP && c !== HTAB) throw new H1ParseError('invalid chunk size line')
          i++
          break
        case EXTENSION:
          if (c === CR) this.state = SIZE_LF
          else if ((c < SP && c !== HTAB) || c === 127) throw new H1ParseError('invalid chunk extension')
          else if (++this.metadataBytes > MAX_METADATA_BYTES) throw new H1ParseError('chunk extension too long')
          i++
          break
        case SIZE_LF:
          if (c !== LF) throw new H1ParseError('missing LF after chunk size')
          i++
          this.state = this.size === 0 ? TRAILER_START : DATA
          break
        case DATA: {
          const n = Math.min(this.size, len - i)
          this.size -= n
          if (this.size === 0) this.state = DATA_CR
          const more = sink.onBodyChunk(n === len && i === 0 ? buf : buf.subarray(i, i + n))
          i += n
          if (!more) return len
          break
        }
        case DATA_CR:
          if (c !== CR) throw new H1ParseError('missing CRLF after chunk data')
          this.state = DATA_LF
          i++
          break
        case DATA_LF:
          if (c !== LF) throw new H1ParseError('missing CRLF after chunk data')
          this.state = SIZE
          this.digits = 0
          i++
          break
        case TRAILER_START:
          if (c === CR) this.state = FINAL_LF
          else if (c === SP || c === HTAB) throw new H1ParseError('obsolete line folding in trailer')
          else if (c === LF) throw new H1ParseError('bare LF in trailer')
          else this.state = TRAILER_LINE
          i++
          break
        case TRAILER_LINE:
          if (c === CR) this.state = TRAILER_LF
          else if (c === LF || c === 0) throw new H1ParseError('invalid byte in trailer')
          if (++this.metadataBytes > MAX_METADATA_BYTES) throw new H1ParseError('trailer section too long')
          i++
          break
        case TRAILER_LF:
          if (c !== LF) throw new H1ParseError('bare CR in trailer')
          this.state = TRAILER_START
          i++
          break
        case FINAL_LF:
          if (c !== LF) throw new H1ParseError('missing LF after last chunk')
          this.state = DONE
          return i + 1
        default:
          return i
      }
    }
    return len
  }
}
