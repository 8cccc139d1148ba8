// One request/response attempt of the HTTP/1.1 client: the handle returned to the caller and
// the guard that the handler hears exactly one ending, and nothing after abort().
import type { H1Connection } from './h1-connection.js'
import { UpstreamFailure, type UpstreamCall, type UpstreamFailureKind, type UpstreamRequest, type UpstreamResponseHandler } from './transport.js'

/** What an exchange needs from its target's pool. */
export interface ExchangeHome {
  /** Takes the exchange out of the wait queue (it was aborted before it got a connection). */
  cancelWait (exchange: H1Exchange): void
  /** The exchange ended one way or another (for close()). */
  exchangeDone (): void
}

/** A request in flight. After `abort()` the handler receives no further calls. */
export class H1Exchange implements UpstreamCall {
  /** The connection carrying it, null while waiting for one. */
  conn: H1Connection | null = null
  /** onHead has been called. */
  afterHead = false
  /** Already replayed once after a stale keep-alive connection. */
  retried = false
  finished = false
  /** Wait-queue deadline timer, only when a connection limit made it wait. */
  waitTimer: NodeJS.Timeout | undefined = undefined

  constructor (
    readonly home: ExchangeHome,
    readonly request: UpstreamRequest,
    readonly handler: UpstreamResponseHandler
  ) {}

  /** Stops the attempt and destroys its connection. The handler gets no more calls, not even onError. */
  abort (): void {
    if (this.finished) return
    this.finished = true
    const conn = this.conn
    if (conn !== null) conn.abortExchange(this)
    else this.home.cancelWait(this)
    this.home.exchangeDone()
  }

  /** Resumes reading a body paused by onData returning false. */
  resume (): void {
    if (!this.finished && this.conn !== null) this.conn.resumeReading(this)
  }

  /** True when a stale keep-alive failure may be retried: idempotent, body replayable, not yet retried. */
  canReplay (): boolean {
    const body = this.request.body
    return this.request.idempotent && !this.retried && (body === null || Buffer.isBuffer(body))
  }

  /** Reports success to the handler, once. */
  end (): void {
    if (this.finished) return
    this.finished = true
    this.home.exchangeDone()
    this.handler.onEnd()
  }

  /** Reports failure to the handler, once. */
  fail (kind: UpstreamFailureKind, message: string, cause?: unknown): void {
    if (this.finished) return
    this.finished = true
    if (this.waitTimer !== undefined) clearTimeout(this.waitTimer)
    this.home.exchangeDone()
    this.handler.onError(new UpstreamFailure(kind, message, this.afterHead, cause === undefined ? undefined : { cause }))
  }
}
