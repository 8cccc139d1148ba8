// Incremental, strict HTTP/1.x response parser (DESIGN.md §6). Bytes go in as the socket gives
// them; the head is found by its blank line, decoded as latin1 and checked by
// parseResponseHead; the body is framed by Content-Length, chunked coding or the connection
// close. Interim 1xx responses are read and skipped; 101 is refused (upgrades are not proxied).
import { ChunkedDecoder, type ChunkSink } from './h1-chunked-decoder.js'
import { H1ParseError, parseResponseHead } from './h1-head-parser.js'

/** Receives the parts of one response. Each method returns false to stop parsing at once. */
export interface ResponseSink extends ChunkSink {
  /** The final (non-1xx) head; `headers` is flat with lower-case names. */
  onResponseHead (status: number, headers: string[]): boolean
}

/** Largest response head accepted, blank line included: 64 KiB, as llhttp's default limit (80 KiB) rounded down. */
export const MAX_HEAD_BYTES = 64 * 1024

const HEAD = 0
const LENGTH = 1
const CHUNKED = 2
const UNTIL_CLOSE = 3
const DONE = 4

const HEAD_END = Buffer.from('\r\n\r\n', 'latin1')
const BARE_LF_END = Buffer.from('\n\n', 'latin1')

/** Parses the responses of one connection, one at a time; call `reset` before each request. */
export class H1ResponseParser {
  private state = HEAD
  private pending: Buffer | null = null
  private remaining = 0
  private bodyless = false
  private readonly chunked = new ChunkedDecoder()
  /** The connection may carry another request after this response (keep-alive, framed body). */
  keepAlive = false
  /** At least one byte of this response (interim ones included) has arrived. */
  bytesSeen = false
  /** Bytes arrived after the end of the response; the connection must not be reused. */
  extraBytes = false

  /** True when the whole response has been read. */
  get done (): boolean {
    return this.state === DONE
  }

  /** Prepares for the response to a new request; `headRequest` means the response has no body. */
  reset (headRequest: boolean): void {
    this.state = HEAD
    this.pending = null
    this.remaining = 0
    this.bodyless = headRequest
    this.keepAlive = false
    this.bytesSeen = false
    this.extraBytes = false
  }

  /** Consumes `buf`. Throws H1ParseError on any syntax or framing violation. */
  execute (buf: Buffer, sink: ResponseSink): void {
    this.bytesSeen = true
    const len = buf.length
    let i = 0
    while (i < len) {
      switch (this.state) {
        case HEAD:
          i = this.readHead(buf, i, sink)
          break
        case LENGTH: {
          const n = Math.min(this.remaining, len - i)
          this.remaining -= n
          if (this.remaining === 0) this.state = DONE
          const more = sink.onBodyChunk(n === len ? buf : buf.subarray(i, i + n))
          i = more ? i + n : len
          break
        }
        case CHUNKED:
          i = this.chunked.decode(buf, i, sink)
          if (this.chunked.done) this.state = DONE
          break
        case UNTIL_CLOSE:
          sink.onBodyChunk(i === 0 ? buf : buf.subarray(i))
          return
        default:
          this.extraBytes = true
          return
      }
    }
  }

  /**
   * The peer closed its side. Returns true when that completes the response (a close-delimited
   * body); false means the response was cut short.
   */
  finish (): boolean {
    if (this.state !== UNTIL_CLOSE) return this.state === DONE
    this.state = DONE
    return true
  }

  /** Returns the index in `buf` where the body starts, or `buf.length` if the head is incomplete. */
  private readHead (buf: Buffer, start: number, sink: ResponseSink): number {
    let data = start === 0 ? buf : buf.subarray(start)
    let searchFrom = 0
    let pendingLength = 0
    if (this.pending !== null) {
      pendingLength = this.pending.length
      searchFrom = Math.max(0, pendingLength - 3)
      data = Buffer.concat([this.pending, data])
      this.pending = null
    }
    const blank = data.indexOf(HEAD_END, searchFrom)
    if (blank === -1) {
      if (data.length >= MAX_HEAD_BYTES) throw new H1ParseError('response head too large')
      if (data.indexOf(BARE_LF_END) !== -1) throw new H1ParseError('bare LF in response head')
      this.pending = data
      return buf.length
    }
    if (blank + 4 > MAX_HEAD_BYTES) throw new H1ParseError('response head too large')
    const head = parseResponseHead(data.toString('latin1', 0, blank + 2))
    const bodyStart = start + blank + 4 - pendingLength
    const status = head.status
    if (status < 200) {
      if (status === 101) throw new H1ParseError('101 Switching Protocols: upgrades are not proxied')
      return bodyStart // interim response: the final head follows
    }
    this.keepAlive = head.keepAlive
    if (this.bodyless || status === 204 || status === 304) {
      this.state = DONE
    } else if (head.chunked) {
      this.chunked.reset()
      this.state = CHUNKED
    } else if (head.contentLength >= 0) {
      this.remaining = head.contentLength
      this.state = head.contentLength === 0 ? DONE : LENGTH
    } else {
      this.state = UNTIL_CLOSE
      this.keepAlive = false
    }
    return sink.onResponseHead(status, head.headers) ? bodyStart : buf.length
  }
}
