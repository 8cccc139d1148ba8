// One upstream HTTP/1.1 connection: its socket, response parser and single timer, and the
// exchange it currently carries. Socket listeners are bound once per connection, not per request.
import type { Socket } from 'node:net'
import { StreamBodyWriter, type StreamBodyOwner } from './h1-body-stream.js'
import type { H1Exchange } from './h1-exchange.js'
import { H1ParseError } from './h1-head-parser.js'
import { buildHead, framingLine, writeHeadAndBuffer } from './h1-request-writer.js'
import { H1ResponseParser, type ResponseSink } from './h1-response-parser.js'
import { ConnectionTimer, TIMER_CONNECT, TIMER_IDLE, TIMER_READ, TIMER_SEND } from './h1-timer.js'
import { errorCode, isConnectRefusal } from './connect-errors.js'
import type { UpstreamFailureKind } from './transport.js'

/** What a connection needs from the pool of its target. */
export interface ConnectionHome {
  readonly idleTimeoutMs: number
  /** The TLS session to offer on the next connection; updated from each new one. */
  tlsSession: Buffer | undefined
  /** The exchange ended cleanly and the connection may carry another request. */
  release (conn: H1Connection): void
  /** The connection is destroyed (called once). */
  connectionGone (conn: H1Connection): void
  /** Sends `exchange` again on a new connection (stale keep-alive socket). */
  replay (exchange: H1Exchange): void
}

/** A socket to one target, carrying one exchange at a time (no pipelining). */
export class H1Connection implements ResponseSink, StreamBodyOwner {
  readonly socket: Socket
  /** True while the connection sits in its pool's idle list. */
  idle = false
  destroyed = false
  private exchange: H1Exchange | null = null
  private ready = false
  private tcpConnected = false
  private served = 0
  private reused = false
  private body: StreamBodyWriter | null = null
  private bodyEnded = false
  private requestFlushed = false
  private writesPending = 0
  private paused = false
  private readonly parser = new H1ResponseParser()
  private readonly timer = new ConnectionTimer((kind) => { this.onDeadline(kind) })

  constructor (
    private readonly home: ConnectionHome,
    socket: Socket,
    private readonly secure: boolean,
    first: H1Exchange
  ) {
    this.socket = socket
    this.exchange = first
    first.conn = this
    this.timer.arm(TIMER_CONNECT, first.request.timeouts.connectMs)
    socket.on('connect', this.onConnect)
    if (secure) {
      socket.on('secureConnect', this.onReady)
      socket.on('session', (session: Buffer) => { home.tlsSession = session })
    }
    socket.on('data', this.onData)
    socket.on('end', this.onEnd)
    socket.on('error', this.onError)
    socket.on('close', this.onClose)
    socket.on('drain', this.onDrain)
  }

  /** Starts `exchange` on this ready, unoccupied connection. */
  attach (exchange: H1Exchange): void {
    this.idle = false
    this.exchange = exchange
    exchange.conn = this
    this.reused = this.served > 0
    this.served++
    const request = exchange.request
    this.parser.reset(request.method === 'HEAD')
    this.paused = false
    this.bodyEnded = false
    this.requestFlushed = false
    const head = buildHead(request, framingLine(request))
    const body = request.body
    if (body === null || Buffer.isBuffer(body)) {
      this.writesPending += writeHeadAndBuffer(this.socket, head, body, this.onFlushed)
      this.onBodyWritten()
      return
    }
    this.trackWrite()
    this.socket.write(head, 'latin1', this.onFlushed)
    this.timer.disarm() // waiting on the source; the send timeout runs only while the socket is full
    this.body = new StreamBodyWriter(this, body, request.bodyLength)
    this.body.start()
  }

  /** Puts the connection in the idle state for at most `idleTimeoutMs`. */
  goIdle (): void {
    this.idle = true
    this.timer.arm(TIMER_IDLE, this.home.idleTimeoutMs)
  }

  /** Destroys the socket; no callback reaches the aborted exchange. */
  abortExchange (exchange: H1Exchange): void {
    if (this.exchange !== exchange) return
    this.detach()
    this.destroy()
  }

  /** Resumes reading after the handler paused the body. */
  resumeReading (exchange: H1Exchange): void {
    if (this.exchange !== exchange || !this.paused) return
    this.paused = false
    this.socket.resume()
    this.timer.arm(TIMER_READ, exchange.request.timeouts.readMs)
  }

  /** Destroys the socket and leaves the pool. Safe to call twice. */
  destroy (): void {
    if (this.destroyed) return
    this.destroyed = true
    this.timer.stop()
    this.socket.destroy()
    this.home.connectionGone(this)
  }

  // StreamBodyOwner

  trackWrite (): void {
    this.writesPending++
  }

  readonly onFlushed = (): void => {
    this.writesPending--
    const exchange = this.exchange
    if (exchange === null || this.requestFlushed) return
    if (this.writesPending > 0) {
      this.timer.arm(TIMER_SEND, exchange.request.timeouts.sendMs) // progress: restart the send deadline
    } else if (this.bodyEnded) {
      this.requestFlushed = true
      if (!this.paused) this.timer.arm(TIMER_READ, exchange.request.timeouts.readMs)
    } else if (this.timer.kind === TIMER_SEND) {
      this.timer.disarm()
    }
  }

  onSocketFull (): void {
    const exchange = this.exchange
    if (exchange !== null) this.timer.arm(TIMER_SEND, exchange.request.timeouts.sendMs)
  }

  onBodyWritten (): void {
    const exchange = this.exchange
    if (exchange === null) return
    this.bodyEnded = true
    this.body = null
    if (this.socket.writableLength === 0) {
      // Already in the kernel (the usual case): the write callbacks that follow change nothing.
      this.requestFlushed = true
      this.timer.arm(TIMER_READ, exchange.request.timeouts.readMs)
    } else {
      this.timer.arm(TIMER_SEND, exchange.request.timeouts.sendMs)
    }
  }

  onBodyFailed (message: string, cause?: unknown): void {
    this.fail('aborted', message, cause)
  }

  // ResponseSink

  onResponseHead (status: number, headers: string[]): boolean {
    const exchange = this.exchange as H1Exchange
    exchange.afterHead = true
    exchange.handler.onHead(status, headers)
    return this.exchange === exchange
  }

  onBodyChunk (chunk: Buffer): boolean {
    const exchange = this.exchange as H1Exchange
    if (!exchange.handler.onData(chunk) && this.exchange === exchange && !this.paused) {
      // Advisory, like a stream's write(): the rest of this socket read is still delivered.
      this.paused = true
      this.socket.pause()
      this.timer.disarm()
    }
    return this.exchange === exchange
  }

  // Socket events

  private readonly onConnect = (): void => {
    this.tcpConnected = true
    if (!this.secure) this.onReady()
  }

  private readonly onReady = (): void => {
    this.ready = true
    const exchange = this.exchange
    if (exchange !== null) this.attach(exchange)
  }

  private readonly onData = (data: Buffer): void => {
    const exchange = this.exchange
    if (exchange === null || !this.ready) {
      this.destroy() // bytes on an idle connection: it is out of step, never reuse it
      return
    }
    if (this.requestFlushed && !this.paused) this.timer.arm(TIMER_READ, exchange.request.timeouts.readMs)
    try {
      this.parser.execute(data, this)
    } catch (err) {
      if (!(err instanceof H1ParseError)) throw err
      this.fail('bad-response', `bad response from upstream: ${err.message}`, err)
      return
    }
    if (this.exchange === exchange && this.parser.done) this.complete(exchange)
  }

  private readonly onEnd = (): void => {
    const exchange = this.exchange
    if (exchange === null) {
      this.destroy()
    } else if (!this.ready) {
      this.fail(this.secure ? 'tls' : 'reset', 'upstream closed the connection during the TLS handshake')
    } else if (this.parser.finish()) {
      this.complete(exchange)
    } else {
      this.fail('reset', 'upstream closed the connection before the response was complete')
    }
  }

  private readonly onError = (err: Error): void => {
    let kind: UpstreamFailureKind = 'reset'
    if (!this.ready) {
      kind = isConnectRefusal(errorCode(err)) || !this.tcpConnected ? 'connect-refused' : this.secure ? 'tls' : 'reset'
      if (kind === 'tls') this.home.tlsSession = undefined
    }
    this.fail(kind, `upstream connection failed: ${err.message}`, err)
  }

  private readonly onClose = (): void => {
    if (this.exchange !== null) this.fail(this.ready ? 'reset' : 'connect-refused', 'upstream connection closed')
    else this.destroy()
  }

  private readonly onDrain = (): void => {
    if (this.body !== null) this.body.onDrain()
  }

  private onDeadline (kind: number): void {
    if (kind === TIMER_IDLE) {
      this.destroy()
      return
    }
    const exchange = this.exchange
    if (exchange === null) return
    const t = exchange.request.timeouts
    if (kind === TIMER_CONNECT) this.fail('connect-timeout', `no connection within ${t.connectMs} ms`)
    else if (kind === TIMER_SEND) this.fail('send-timeout', `request not sent: no progress for ${t.sendMs} ms`)
    else this.fail('read-timeout', `no response bytes for ${t.readMs} ms`)
  }

  private complete (exchange: H1Exchange): void {
    const reusable = this.parser.keepAlive && !this.parser.extraBytes && this.bodyEnded &&
      this.socket.writableLength === 0 && !this.socket.readableEnded
    this.detach()
    if (this.paused) this.socket.resume()
    this.paused = false
    if (reusable) this.home.release(this)
    else this.destroy()
    exchange.end()
  }

  /** Ends the current exchange with a failure, or replays it once if the socket was a stale keep-alive one. */
  private fail (kind: UpstreamFailureKind, message: string, cause?: unknown): void {
    const exchange = this.exchange
    this.detach()
    this.destroy()
    if (exchange === null) return
    if (kind === 'reset' && this.reused && !this.parser.bytesSeen && exchange.canReplay()) {
      exchange.retried = true
      this.home.replay(exchange)
      return
    }
    exchange.fail(kind, message, cause)
  }

  private detach (): void {
    const exchange = this.exchange
    if (exchange !== null) exchange.conn = null
    this.exchange = null
    if (this.body !== null) this.body.stop()
    this.body = null
    this.timer.disarm()
  }
}
