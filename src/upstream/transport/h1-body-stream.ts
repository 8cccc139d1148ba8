// Sends a streamed request body: with Content-Length when the length is known (and enforced),
// otherwise with chunked coding. Back-pressure both ways: the source is paused while the socket
// is full and resumed on 'drain'; the socket is only read from the source as fast as it flushes.
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'

/** What a stream body needs from the connection it is written to. */
export interface StreamBodyOwner {
  readonly socket: Socket
  /** Counts a write in flight; pass `onFlushed` as its callback. */
  trackWrite (): void
  readonly onFlushed: (err?: Error | null) => void
  /** The socket buffer is full: the send timeout runs until the next flush. */
  onSocketFull (): void
  /** The whole body (and the last chunk, if chunked) has been handed to the socket. */
  onBodyWritten (): void
  /** The source failed or gave a different number of bytes than announced. */
  onBodyFailed (message: string, cause?: unknown): void
}

const LAST_CHUNK = '0\r\n\r\n'

/** Pumps one Readable into one connection. `stop()` detaches it without touching the source. */
export class StreamBodyWriter {
  private sent = 0
  private waitingDrain = false
  private active = true

  constructor (
    private readonly owner: StreamBodyOwner,
    private readonly source: Readable,
    /** Announced Content-Length, or undefined for chunked coding. */
    private readonly length: number | undefined
  ) {}

  /** Starts reading the source. */
  start (): void {
    const source = this.source
    source.on('data', this.onChunk)
    source.on('end', this.onEnd)
    source.on('error', this.onError)
    source.on('close', this.onClose)
    // A stream already ended or destroyed emits nothing more; answer on the next tick, never
    // synchronously inside request().
    if (source.readableEnded) process.nextTick(this.onEnd)
    else if (source.destroyed) process.nextTick(this.onClose)
    else source.resume()
  }

  /** Detaches from the source (which is left as it is: paused or flowing, not destroyed). */
  stop (): void {
    if (!this.active) return
    this.active = false
    const source = this.source
    source.off('data', this.onChunk)
    source.off('end', this.onEnd)
    source.off('error', this.onError)
    source.off('close', this.onClose)
    if (this.waitingDrain) source.pause()
  }

  /** The socket has room again. */
  onDrain (): void {
    if (!this.waitingDrain || !this.active) return
    this.waitingDrain = false
    this.source.resume()
  }

  private readonly onChunk = (data: Buffer | string): void => {
    if (!this.active) return
    const chunk = typeof data === 'string' ? Buffer.from(data) : data
    if (chunk.length === 0) return
    this.sent += chunk.length
    if (this.length !== undefined && this.sent > this.length) {
      this.stop()
      this.owner.onBodyFailed(`request body is longer than its announced length ${this.length}`)
      return
    }
    const socket = this.owner.socket
    let ok: boolean
    this.owner.trackWrite()
    if (this.length === undefined) {
      socket.cork()
      socket.write(`${chunk.length.toString(16)}\r\n`, 'latin1')
      socket.write(chunk)
      ok = socket.write('\r\n', 'latin1', this.owner.onFlushed)
      socket.uncork()
    } else {
      ok = socket.write(chunk, this.owner.onFlushed)
    }
    if (!ok) {
      this.waitingDrain = true
      this.source.pause()
      this.owner.onSocketFull()
    }
  }

  private readonly onEnd = (): void => {
    if (!this.active) return
    const sent = this.sent
    this.stop()
    if (this.length !== undefined && sent !== this.length) {
      this.owner.onBodyFailed(`request body ended after ${sent} of its announced ${this.length} bytes`)
      return
    }
    if (this.length === undefined) {
      this.owner.trackWrite()
      this.owner.socket.write(LAST_CHUNK, 'latin1', this.owner.onFlushed)
    }
    this.owner.onBodyWritten()
  }

  private readonly onError = (err: Error): void => {
    if (!this.active) return
    this.stop()
    this.owner.onBodyFailed('request body stream failed', err)
  }

  private readonly onClose = (): void => {
    if (!this.active) return
    this.stop()
    this.owner.onBodyFailed('request body stream closed before its end')
  }
}
