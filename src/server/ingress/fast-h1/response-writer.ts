import type { Socket } from 'node:net'
import type { ResponseSink } from '../ingress.js'
import { CHUNKED_FIELD, CLOSE_FIELD, CONTINUE, LAST_CHUNK, dateLine, statusLine } from './head-text.js'
import type { RequestBody } from './request-body.js'

/** What a response needs from its connection. */
export interface ResponseChannel {
  readonly socket: Socket
  /** The fields a response that keeps the connection carries (`keepAliveFields`). */
  readonly keepAliveFields: string
  /** True when this response is the oldest unfinished one: only that one writes to the socket. */
  isActive (response: H1Response): boolean
  /** The response ended (its last bytes are written, or queued behind earlier responses). */
  responseFinished (response: H1Response): void
  /** The response closes the connection: no request after it may be handled. */
  responseCloses (response: H1Response): void
}

/** Up to this size, head and body are copied into one buffer: one write, one syscall. */
const COALESCE_BYTES = 64 * 1024
/** Bytes a queued (pipelined, not yet active) response buffers before `write` asks to wait. */
const QUEUED_HIGH_WATER_MARK = 16 * 1024
const EMPTY = Buffer.alloc(0)
/** A field name is a token (RFC 9110 §5.1); a value holds no control character but tab (§5.5). */
const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/
const INVALID_VALUE_CHAR = /[^\t\x20-\x7e\x80-\xff]/
/** A `connection` value holding the `close` option (node:http's test). */
const CLOSE_TOKEN = /(?:^|\W)close(?:$|\W)/i

function invalidField (name: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new TypeError(`Invalid response header field "${name.replace(/[^\x20-\x7e]/g, '?')}"`)
  error.code = 'ERR_INVALID_CHAR'
  return error
}

/**
 * The ResponseSink of fast-h1: one HTTP/1.x response on its connection. Framing follows
 * node:http's ServerResponse (the reference): no body for HEAD, 204 and 304; the given
 * Content-Length, else chunked for HTTP/1.1 and close-delimited for HTTP/1.0. A pipelined response
 * that is not yet the oldest one buffers its bytes until its turn.
 */
export class H1Response implements ResponseSink {
  headersSent = false
  finished = false
  /** Whether the connection stays open after this response. */
  keepAlive: boolean
  /** Set when the socket went away first; the pipeline's abort listener has run. */
  aborted = false
  private readonly channel: ResponseChannel
  private readonly http10: boolean
  private readonly isHead: boolean
  readonly body: RequestBody | null
  private hasBody = true
  private chunked = false
  /** The head text, until it goes out with the first body bytes. */
  private head = ''
  private queued: Buffer[] | undefined
  private queuedBytes = 0
  private drainListeners: Array<() => void> | undefined
  private abortListener: (() => void) | undefined

  constructor (channel: ResponseChannel, keepAlive: boolean, http10: boolean, isHead: boolean, body: RequestBody | null) {
    this.channel = channel
    this.keepAlive = keepAlive
    this.http10 = http10
    this.isHead = isHead
    this.body = body
  }

  writeHead (status: number, headers: string[]): void {
    if (this.headersSent) return
    let head = statusLine(status)
    let hasLength = false
    let hasDate = false
    let connection: string | undefined
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string
      const value = headers[i + 1] as string
      // As node:http's writeHead: a field that would break the framing is refused, never written.
      if (!FIELD_NAME.test(name) || INVALID_VALUE_CHAR.test(value)) throw invalidField(name)
      if (name.length === 14 && name === 'content-length') hasLength = true
      else if (name.length === 4 && name === 'date') hasDate = true
      else if (name.length === 10 && name === 'connection') connection = value
      head += `${name}: ${value}\r\n`
    }
    this.headersSent = true
    this.hasBody = !this.isHead && status !== 204 && status !== 304 && (status < 100 || status >= 200)
    if (!hasDate) head += dateLine()
    // As node:http: without a length, HTTP/1.0 gets a close-delimited body, HTTP/1.1 chunks.
    if (!hasLength && this.http10) this.keepAlive = false
    if (!hasLength && this.hasBody && !this.http10) {
      this.chunked = true
      head += CHUNKED_FIELD
    }
    // A body announced with Expect: 100-continue that nobody asked for may never come: close.
    if (this.body?.continuePending === true) this.keepAlive = false
    // A connection field given here is the only one written; one saying close is obeyed.
    if (connection !== undefined && CLOSE_TOKEN.test(connection)) this.keepAlive = false
    if (!this.keepAlive) {
      if (connection === undefined) head += CLOSE_FIELD
      this.channel.responseCloses(this)
    } else if (connection === undefined) {
      head += this.channel.keepAliveFields
    }
    this.head = head + '\r\n'
  }

  write (chunk: Buffer): boolean {
    if (this.finished || this.aborted) return false
    if (!this.headersSent) this.writeHead(200, [])
    if (!this.hasBody || chunk.length === 0) return true
    return this.chunked
      ? this.send(`${this.takeHead()}${chunk.length.toString(16)}\r\n`, chunk, '\r\n')
      : this.send(this.takeHead(), chunk, '')
  }

  end (chunk?: Buffer | string): void {
    if (this.finished) return
    if (!this.headersSent) this.writeHead(200, [])
    this.finished = true
    if (this.aborted) return
    const data = !this.hasBody || chunk === undefined ? EMPTY : (typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    if (this.chunked) {
      const prefix = data.length === 0 ? this.takeHead() : `${this.takeHead()}${data.length.toString(16)}\r\n`
      this.send(prefix, data, data.length === 0 ? LAST_CHUNK : `\r\n${LAST_CHUNK}`)
    } else if (this.head !== '' || data.length > 0) {
      this.send(this.takeHead(), data, '')
    }
    this.channel.responseFinished(this)
  }

  onDrain (listener: () => void): void {
    (this.drainListeners ??= []).push(listener)
  }

  onAbort (listener: () => void): void {
    this.abortListener = listener
  }

  destroy (): void {
    this.channel.socket.destroy()
  }

  closeAfterResponse (): void {
    this.keepAlive = false
  }

  /** Answers `Expect: 100-continue` (before anything else of this response). */
  writeContinue (): void {
    if (this.headersSent) return
    this.send(CONTINUE, EMPTY, '')
  }

  /** Became the oldest response: writes what it buffered while waiting. */
  activate (): void {
    const queued = this.queued
    if (queued === undefined) return
    this.queued = undefined
    this.queuedBytes = 0
    const socket = this.channel.socket
    socket.cork()
    for (const buffer of queued) socket.write(buffer)
    socket.uncork()
    if (!socket.writableNeedDrain) this.drained()
  }

  /** The socket can take more (or this response's queue went out). */
  drained (): void {
    const listeners = this.drainListeners
    if (listeners === undefined) return
    this.drainListeners = undefined
    for (const listener of listeners) listener()
  }

  /** The connection went away before this response ended. */
  abort (): void {
    if (this.aborted || this.finished) return
    this.aborted = true
    this.abortListener?.()
  }

  private takeHead (): string {
    const head = this.head
    this.head = ''
    return head
  }

  /** Writes prefix (latin1 text), data and suffix as one buffer when small, else corked. */
  private send (prefix: string, data: Buffer, suffix: string): boolean {
    const total = prefix.length + data.length + suffix.length
    let bytes: Buffer | undefined
    if (total <= COALESCE_BYTES) {
      bytes = Buffer.allocUnsafe(total)
      bytes.write(prefix, 0, 'latin1')
      data.copy(bytes, prefix.length)
      if (suffix !== '') bytes.write(suffix, prefix.length + data.length, 'latin1')
    }
    if (!this.channel.isActive(this)) {
      const queued = (this.queued ??= [])
      if (bytes !== undefined) queued.push(bytes)
      else queued.push(Buffer.from(prefix, 'latin1'), data, Buffer.from(suffix, 'latin1'))
      this.queuedBytes += total
      return this.queuedBytes < QUEUED_HIGH_WATER_MARK
    }
    const socket = this.channel.socket
    if (bytes !== undefined) return socket.write(bytes)
    socket.cork()
    if (prefix !== '') socket.write(prefix, 'latin1')
    socket.write(data)
    if (suffix !== '') socket.write(suffix, 'latin1')
    socket.uncork()
    return !socket.writableNeedDrain
  }
}
