import type { Socket } from 'node:net'
import type { ErrorCode } from '../../../errors.js'
import { bodyFraming } from '../body-framing.js'
import { clientErrorCode, clientErrorResponse } from '../client-error.js'
import type { IngressRequest } from '../ingress.js'
import type { RequestHandler } from '../node-listener.js'
import type { HttpParser, ParseError, ParserBinding } from './llhttp-binding.js'
import type { ParserPool } from './parser-pool.js'
import { RequestBody, type BodySource } from './request-body.js'
import { H1Response, type ResponseChannel } from './response-writer.js'

/** What every connection of one listener shares. */
export interface ConnectionSettings {
  readonly binding: ParserBinding
  readonly parsers: ParserPool
  readonly handler: RequestHandler
  readonly secure: boolean
  readonly localPort: number
  /** What a response that keeps the connection carries (`keepAliveFields` of head-text.ts). */
  readonly keepAliveFields: string
  /** The listener's `half_close: answer`: a FIN is a half-close, not the client leaving. */
  readonly answerHalfClosed: boolean
}

/** Pipelined requests answered ahead of the client's reading: past this, parsing waits. */
const MAX_QUEUED_RESPONSES = 32
/** `Expect` values asking for 100 Continue (node:http's test). */
const CONTINUE_EXPECTATION = /(?:^|\W)100-continue(?:$|\W)/i

/**
 * One client connection of fast-h1: feeds the socket's bytes to a strict llhttp parser, hands each
 * request to the pipeline, and keeps the responses in request order (only the oldest writes; the
 * others buffer). Timeouts are checked from outside (`FastH1Listener`'s sweep) with the times kept
 * here, as node:http does.
 */
export class H1Connection implements ResponseChannel, BodySource {
  readonly socket: Socket
  /** A message is arriving (or the connection is new and nothing came yet). */
  receiving = true
  /** The head of the arriving message is complete. */
  headersDone = false
  /** When the arriving message (or the connection) started, ms. */
  messageStartMs = Date.now()
  /** Since when nothing arrives and nothing is owed, ms (meaningful when `isIdle`). */
  idleSinceMs = 0
  private readonly settings: ConnectionSettings
  private readonly parser: HttpParser
  private readonly queue: H1Response[] = []
  private readonly peerIp: string
  private readonly localPort: number
  /** The body of the arriving message. */
  private body: RequestBody | null = null
  /** The response of the arriving message (from its head to its last byte received). */
  private arriving: H1Response | null = null
  /** Header pairs and URL llhttp delivered before the head completed (long heads only). */
  private spilledHeaders: string[] = []
  private spilledUrl = ''
  /** No more requests are read (error answered, close asked, or the socket is going away). */
  private stopped = false
  /** The arriving message is the last one handled: reading stops when it is complete. */
  private lastRequestOnly = false
  private pausedForBody = false
  private pausedForQueue = false
  /** How the connection ends once the responses ahead are written: an error answer, or just closing. */
  private pendingEnd: ErrorCode | 'close' | undefined

  constructor (socket: Socket, settings: ConnectionSettings) {
    this.socket = socket
    this.settings = settings
    this.peerIp = socket.remoteAddress ?? ''
    this.localPort = socket.localPort ?? settings.localPort
    const { HTTPParser } = settings.binding
    const parser = settings.parsers.acquire()
    parser[HTTPParser.kOnMessageBegin] = this.onMessageBegin.bind(this)
    parser[HTTPParser.kOnHeaders] = this.onHeaders.bind(this)
    parser[HTTPParser.kOnHeadersComplete] = this.onHeadersComplete.bind(this)
    parser[HTTPParser.kOnBody] = this.onBody.bind(this)
    parser[HTTPParser.kOnMessageComplete] = this.onMessageComplete.bind(this)
    this.parser = parser
    socket.on('data', this.onData.bind(this))
    socket.on('end', this.onEnd.bind(this))
    socket.on('drain', this.onDrain.bind(this))
    socket.on('close', this.onClose.bind(this))
    socket.on('error', ignoreSocketError)
  }

  get keepAliveFields (): string {
    return this.settings.keepAliveFields
  }

  /** Nothing arriving and no response owed: a keep-alive connection waiting for the next request. */
  get isIdle (): boolean {
    return !this.receiving && this.queue.length === 0
  }

  isActive (response: H1Response): boolean {
    return this.queue[0] === response
  }

  /** The arriving message took too long (header-read or request timeout): 408, as node:http. */
  timeOut (): void {
    this.fail('TG_REQUEST_TIMEOUT')
  }

  private onData (chunk: Buffer): void {
    if (this.stopped) return
    let rest = chunk
    for (;;) {
      const result = this.parser.execute(rest)
      if (typeof result !== 'number') {
        this.onParseError(result)
        return
      }
      // llhttp stops after a request with Upgrade (node:http answers those as plain requests).
      if (result === 0 || result >= rest.length || this.stopped) return
      rest = rest.subarray(result)
    }
  }

  /**
   * The client sent FIN. With `half_close: answer` it is a half-close (`shutdown(SHUT_WR)`): the
   * client sends nothing more but may still read, so every request received whole is answered, in
   * order, and the connection ends after the last answer (which says `connection: close` if its
   * head is still to be written); a client that closed altogether looks the same on the wire and
   * shows only when a write fails ('close'). With `abort` (the default, nginx's for proxied
   * requests) the client left: what it is still owed is given up, which cancels the upstream work.
   * Either way a request the FIN cut short is not handled and gets no answer, as with nginx.
   */
  private onEnd (): void {
    if (!this.settings.answerHalfClosed) {
      this.stopped = true
      this.receiving = false
      for (const response of this.queue) response.abort()
      this.body?.destroy(abortedError())
      this.endSocket()
      return
    }
    // Nothing more was to be read anyway: the responses ahead end the connection as planned.
    if (this.stopped) return
    if (this.parser.finish() instanceof Error) {
      this.fail('close')
      return
    }
    this.stopped = true
    const last = this.queue[this.queue.length - 1]
    if (last === undefined) this.endSocket()
    else last.closeAfterResponse()
  }

  private onMessageBegin (): void {
    this.receiving = true
    this.headersDone = false
    this.messageStartMs = Date.now()
  }

  private onHeaders (headers: string[], url: string): void {
    this.spilledHeaders = this.spilledHeaders.concat(headers)
    this.spilledUrl += url
  }

  private onHeadersComplete (major: number, minor: number, headers: string[] | undefined, methodIndex: number, url: string | undefined,
    _status: unknown, _statusText: unknown, upgrade: boolean, keepAlive: boolean): number {
    if (headers === undefined) {
      headers = this.spilledHeaders
      this.spilledHeaders = []
    }
    if (url === undefined) {
      url = this.spilledUrl
      this.spilledUrl = ''
    }
    this.headersDone = true
    if (this.stopped) return 0
    const method = this.settings.binding.methods[methodIndex] ?? 'GET'
    if (upgrade && method === 'CONNECT') {
      // node:http without a 'connect' listener drops the connection; so does fast-h1.
      this.stopped = true
      this.socket.destroy()
      return 0
    }
    const framing = bodyFraming(headers)
    const hasBody = framing.chunked || (framing.length !== undefined && framing.length > 0)
    const body = hasBody ? new RequestBody(this) : null
    const http10 = major === 1 && minor === 0
    const response = new H1Response(this, keepAlive, major < 1 || http10, method === 'HEAD', body)
    this.body = body
    this.arriving = response
    this.queue.push(response)
    if (this.queue.length > MAX_QUEUED_RESPONSES) this.pauseFor('queue')
    if (major === 1 && minor === 1) {
      const expect = expectation(headers)
      if (expect !== undefined) {
        if (!CONTINUE_EXPECTATION.test(expect)) {
          // node:http answers an expectation it cannot meet 417 without calling the gateway.
          response.writeHead(417, ['content-length', '0'])
          response.end()
          return 0
        }
        if (body !== null) body.continuePending = true
      }
    }
    const request: IngressRequest = {
      method,
      target: url,
      httpVersion: major === 1 && minor === 1 ? '1.1' : `${major}.${minor}`,
      rawHeaders: headers,
      authority: undefined,
      peerIp: this.peerIp,
      localPort: this.localPort,
      tls: this.settings.secure,
      body,
      bodyLength: framing.chunked ? undefined : (framing.length ?? 0)
    }
    this.settings.handler(request, response)
    return 0
  }

  private onBody (chunk: Buffer): void {
    const body = this.body
    if (body === null || body.destroyed) return
    // The client sends the body without waiting for 100 Continue: it needs none any more.
    body.continuePending = false
    if (!body.push(chunk)) this.pauseFor('body')
  }

  private onMessageComplete (): void {
    const body = this.body
    this.body = null
    this.arriving = null
    this.receiving = false
    // Trailer fields arrive through kOnHeaders; they are not forwarded (as with the node ingress).
    this.spilledHeaders = []
    this.spilledUrl = ''
    if (body !== null && !body.destroyed) body.push(null)
    if (this.lastRequestOnly) this.stopped = true
    if (this.queue.length === 0) this.idleSinceMs = Date.now()
  }

  resumeBody (body: RequestBody): void {
    if (body.continuePending) {
      body.continuePending = false
      if (this.arriving !== null && this.body === body) this.arriving.writeContinue()
    }
    if (this.body === body && this.pausedForBody) {
      this.pausedForBody = false
      this.resumeSocket()
    }
  }

  responseFinished (response: H1Response): void {
    const queue = this.queue
    while (queue.length > 0 && queue[0] === response && response.finished) {
      queue.shift()
      if (!response.keepAlive) {
        this.close()
        return
      }
      // As node:http: a body the gateway did not read is read and dropped, keeping the connection.
      if (response.body !== null && !response.body.readableEnded && !response.body.destroyed) response.body.resume()
      const next = queue[0]
      if (next === undefined) break
      next.activate()
      response = next
    }
    if (this.pausedForQueue && queue.length <= MAX_QUEUED_RESPONSES) {
      this.pausedForQueue = false
      this.resumeSocket()
    }
    if (queue.length > 0) return
    if (this.pendingEnd === 'close') this.endSocket()
    else if (this.pendingEnd !== undefined) this.answerError(this.pendingEnd)
    else if (!this.receiving) this.idleSinceMs = Date.now()
  }

  /**
   * A response announced `connection: close`: requests after it are not handled (their answers
   * could never be delivered, and a client retrying them elsewhere would send them twice). What
   * still arrives is dropped, unless it is the body of that very request, which its reader may
   * still want.
   */
  responseCloses (response: H1Response): void {
    if (response === this.arriving) this.lastRequestOnly = true
    else this.stopped = true
  }

  /** Closes after what is written (a response asked for it): nothing more is read or answered. */
  private close (): void {
    this.stopped = true
    for (const response of this.queue) response.abort()
    this.queue.length = 0
    this.endSocket()
  }

  /**
   * Ends the connection after what is written. What the client still sends is read and dropped
   * (closing with unread data would reset the connection and could destroy the answer in flight);
   * the sweep's timeouts bound how long that lasts.
   */
  private endSocket (data?: string): void {
    if (data === undefined) this.socket.end()
    else this.socket.end(data)
    this.pausedForBody = false
    this.pausedForQueue = false
    this.socket.resume()
  }

  private onParseError (error: ParseError): void {
    // Data after a request that asked to close: not read; the response on its way closes.
    if (error.code === 'HPE_CLOSED_CONNECTION') {
      this.stopped = true
      if (this.queue.length === 0) this.endSocket()
      return
    }
    this.fail(clientErrorCode(error))
  }

  /**
   * The arriving message cannot be completed. Its answer, if it began, is not followed by a second
   * one: the connection ends after what is owed (dropped at once when that answer is half sent,
   * as node:http does). Otherwise the error is answered now when nothing is owed before it, or
   * after the responses ahead of it; `'close'` (the client's FIN cut the message) answers nothing.
   */
  private fail (code: ErrorCode | 'close'): void {
    this.stopped = true
    this.receiving = false
    this.body?.destroy(abortedError())
    const arriving = this.arriving
    const head = this.queue[0]
    if (arriving !== null && arriving.headersSent) {
      if (head === arriving && !arriving.finished) {
        this.socket.destroy()
        return
      }
      if (!arriving.finished) {
        arriving.abort()
        this.queue.pop()
      }
      this.pendingEnd = 'close'
      if (this.queue.length === 0) this.endSocket()
      return
    }
    if (head !== undefined && head !== arriving) {
      if (arriving !== null) {
        arriving.abort()
        this.queue.pop()
      }
      this.pendingEnd = code
      return
    }
    if (head !== undefined) {
      head.abort()
      this.queue.length = 0
    }
    if (code === 'close') this.endSocket()
    else this.answerError(code)
  }

  private answerError (code: ErrorCode): void {
    this.stopped = true
    if (this.socket.writable) this.endSocket(clientErrorResponse(code))
    else this.socket.destroy()
  }

  private pauseFor (reason: 'body' | 'queue'): void {
    if (reason === 'body') this.pausedForBody = true
    else this.pausedForQueue = true
    this.socket.pause()
  }

  private resumeSocket (): void {
    if (!this.pausedForBody && !this.pausedForQueue) this.socket.resume()
  }

  private onDrain (): void {
    this.queue[0]?.drained()
  }

  private onClose (): void {
    this.stopped = true
    for (const response of this.queue) response.abort()
    this.queue.length = 0
    if (this.body !== null && !this.body.readableEnded) this.body.destroy(abortedError())
    this.body = null
    this.settings.parsers.release(this.parser)
  }
}

function ignoreSocketError (): void {}

/** The error a request body ends with when its connection goes away mid-body (as node:http's). */
function abortedError (): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error('aborted')
  error.code = 'ECONNRESET'
  return error
}

/** The value of the Expect field, if any. */
function expectation (headers: readonly string[]): string | undefined {
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string
    if (name.length === 6 && name.toLowerCase() === 'expect') return headers[i + 1]
  }
  return undefined
}
