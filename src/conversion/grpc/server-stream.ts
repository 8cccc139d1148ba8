import { performance } from 'node:perf_hooks'
import type { ClientReadableStream, Metadata, StatusObject } from '@grpc/grpc-js'
import type { Reply } from '../../kit/reply.js'
import type { Target } from '../../upstream/transport/transport.js'
import { endStream, sendStreamChunk, sendStreamHead } from '../../pipeline/stream-response.js'
import { ERRORS, errorBody, type ErrorCode } from '../../errors.js'
import type { GrpcExchange } from './call-backend.js'
import { rawBytes } from './clients.js'
import { isTargetFailure, replyForStatus } from './replies.js'
import { GrpcStatus } from './status.js'
import { WireError } from './mapping/wire-read.js'
import { responseHeaders } from './call-metadata.js'
import { emptyStreamContentType, streamPiece, type StreamPiece } from './stream-pieces.js'

/** What ended a stream that did not end cleanly: a catalog code and the message (the catalog's when undefined). */
interface StreamFailure {
  readonly code: ErrorCode
  readonly message: string | undefined
}

/** Why the gateway cancelled a stream itself. */
type StopReason = 'client' | 'idle' | 'bad-message' | 'filter'

/**
 * One attempt at a server-streaming method (docs/grpc.md, "Server streaming"). The head (200) goes
 * out with the first message; each message is sent on as it arrives, through the gateway's
 * streamed-response path (filters, byte count, log phase), as one NDJSON line or, for
 * google.api.HttpBody, as its raw bytes. The grpc-js stream is paused while the client's
 * connection is full, so the backend is held by HTTP/2 flow control rather than buffered here.
 *
 * - before the first message a failure is an ordinary error reply (the unary mapping), and
 *   UNAVAILABLE before any response header may be retried on another target;
 * - after it the status cannot change: a non-OK end is written as a last error line (a raw body
 *   stream cannot carry one: its connection is cut);
 * - `readTimeoutMs` is the longest wait for the next message while the client keeps up; past it
 *   the call is cancelled (there is no overall deadline: a stream lasts as long as it delivers);
 * - the balancer hears once, when grpc-js reports the call's status (end, error or cancel).
 */
export class ServerStreamAttempt {
  private call: ClientReadableStream<Buffer> | undefined = undefined
  private readonly sentAt = performance.now()
  /** Milliseconds from send to the first sign of an answer (headers, a message or the status); -1 before. */
  private answerLatencyMs = -1
  private headers: Metadata | undefined = undefined
  private status: StatusObject | undefined = undefined
  /** grpc-js delivered every message it will deliver ('end'). */
  private readEnded = false
  private headSent = false
  /** Reading is paused until the client's connection drains. */
  private paused = false
  private idleTimer: NodeJS.Timeout | undefined = undefined
  private stopped: StopReason | undefined = undefined
  /** What the client is told when the gateway stopped the stream for a bad message. */
  private stopReply: Reply | undefined = undefined
  private done = false

  constructor (private readonly exchange: GrpcExchange, private readonly target: Target) {}

  start (): void {
    const { ctx, grpc, binding } = this.exchange
    let call: ClientReadableStream<Buffer>
    try {
      // No deadline: a stream lasts as long as it delivers; the idle timer below bounds each wait.
      call = grpc.clients.forTarget(this.target).makeServerStreamRequest<Buffer, Buffer>(binding.grpcPath, rawBytes, rawBytes, this.exchange.message, this.exchange.metadata, {})
    } catch (error) {
      this.done = true
      return this.exchange.refused(this.target, this.sentAt, error)
    }
    this.call = call
    call.on('metadata', (headers: Metadata) => {
      this.headers = headers
      this.noteAnswer()
    })
    call.on('data', (message: Buffer) => this.onMessage(message))
    // grpc-js emits 'error' for a non-OK status just before 'status'; the status says it all.
    call.on('error', () => {})
    call.on('status', (status: StatusObject) => this.onStatus(status))
    call.on('end', () => {
      this.readEnded = true
      this.complete()
    })
    ctx.attempt = this
    this.idleTimer = setTimeout(this.onIdle, this.exchange.readTimeoutMs)
  }

  /** The client went away: cancel the call (the backend sees CANCELLED); the pipeline ends the request. */
  abortByClient (): void {
    this.stop('client')
  }

  private onMessage (message: Buffer): void {
    if (this.stopped !== undefined) return
    const ctx = this.exchange.ctx
    this.noteAnswer()
    let piece: StreamPiece
    try {
      piece = streamPiece(this.exchange.binding, message)
    } catch (error) {
      if (!(error instanceof WireError)) throw error
      return this.stop('bad-message', { code: 'TG_UPSTREAM_BAD_RESPONSE', message: `the backend's ${this.exchange.binding.responseType.fullName.slice(1)} does not decode: ${error.message}` })
    }
    if (!this.headSent && !this.sendHead(piece.contentType, undefined)) return
    if (sendStreamChunk(ctx, piece.bytes, this.resume)) {
      this.idleTimer?.refresh()
      return
    }
    // The client is slower than the backend: stop reading (grpc-js then stops taking HTTP/2 data,
    // and flow control holds the backend) and stop the idle clock, which is the backend's.
    this.paused = true
    this.call?.pause()
  }

  private readonly resume = (): void => {
    if (this.done || !this.paused) return
    this.paused = false
    if (this.status === undefined) this.idleTimer?.refresh()
    this.call?.resume()
  }

  private readonly onIdle = (): void => {
    if (this.paused || this.status !== undefined) return
    this.stop('idle')
  }

  /** Cancels the call for `reason`; its status (CANCELLED) then ends the attempt. */
  private stop (reason: StopReason, reply?: Reply): void {
    if (this.stopped !== undefined || this.status !== undefined) return
    this.stopped = reason
    this.stopReply = reply
    this.call?.cancel()
  }

  private onStatus (status: StatusObject): void {
    this.status = status
    this.noteAnswer()
    clearTimeout(this.idleTimer)
    this.report()
    this.complete()
  }

  private noteAnswer (): void {
    if (this.answerLatencyMs >= 0) return
    this.answerLatencyMs = performance.now() - this.sentAt
    this.exchange.ctx.timings.upstreamMs = this.answerLatencyMs
  }

  /** The balancer's onDone, once: at the call's status, whatever ended it. */
  private report (): void {
    const status = this.status as StatusObject
    const latencyMs = this.answerLatencyMs
    const balancer = this.exchange.service.balancer
    if (this.stopped === 'client') balancer.onDone(this.target, { latencyMs, ok: true, aborted: true })
    else balancer.onDone(this.target, { latencyMs, ok: this.stopped !== 'idle' && !isTargetFailure(status.code) })
  }

  /**
   * Ends the response once the status is known and every message grpc-js delivers was sent (a
   * stream the gateway stopped does not wait for the rest).
   */
  private complete (): void {
    const status = this.status
    if (this.done || status === undefined || (!this.readEnded && this.stopped === undefined)) return
    this.done = true
    const { ctx, finish } = this.exchange
    ctx.attempt = undefined
    if (this.stopped === 'client' || ctx.clientAborted) return finish(ctx)
    const failure = this.failure(status)
    if (!this.headSent) return this.endBeforeHead(status, failure)
    if (failure === undefined) {
      endStream(ctx)
      return finish(ctx)
    }
    ctx.upstreamError = failure.code
    if (ctx.response !== undefined) ctx.response.errorCode = failure.code
    if (this.exchange.binding.rawResponseBody) {
      // Raw bytes have no room for an error line: cutting the connection is the honest signal.
      ctx.sink.destroy()
      return finish(ctx)
    }
    sendStreamChunk(ctx, Buffer.from(errorBody(failure.code, ctx.request.id, failure.message)), noop)
    endStream(ctx)
    finish(ctx)
  }

  /** Nothing was sent yet: the unary answer to the outcome (an empty stream is an empty 200 body). */
  private endBeforeHead (status: StatusObject, failure: StreamFailure | undefined): void {
    const { ctx, finish, respond } = this.exchange
    if (failure === undefined) {
      if (!this.sendHead(emptyStreamContentType(this.exchange.binding), status.metadata)) return
      endStream(ctx)
      return finish(ctx)
    }
    if (this.stopped === undefined && this.exchange.retryUnavailable(status, this.headers)) return
    // The backend's own status keeps the unary answer's headers (metadata, trailers, grpc-status).
    const reply = this.stopped === undefined ? replyForStatus(this.exchange.binding, status, undefined, this.headers) : { status: ERRORS[failure.code].status, code: failure.code, message: failure.message }
    if (ctx.upstream !== undefined) ctx.upstream.status = reply.status
    respond(ctx, reply)
  }

  /** The failure that ended the stream; undefined for a clean OK end. */
  private failure (status: StatusObject): StreamFailure | undefined {
    if (this.stopped === 'idle') return { code: 'TG_UPSTREAM_TIMEOUT', message: `DEADLINE_EXCEEDED: no message within ${this.exchange.readTimeoutMs} ms` }
    const reply = this.stopped !== undefined ? this.stopReply : status.code === GrpcStatus.OK ? undefined : replyForStatus(this.exchange.binding, status, undefined, this.headers)
    return reply === undefined ? undefined : { code: reply.code ?? 'TG_UPSTREAM_RPC_ERROR', message: reply.message }
  }

  /**
   * Sends the 200 head: response metadata (and the trailers, for a stream that ended before its
   * first message) as headers, and the content type. A header filter that failed stops the call
   * and answers its error instead.
   */
  private sendHead (contentType: string, trailers: Metadata | undefined): boolean {
    const ctx = this.exchange.ctx
    const flat: string[] = []
    const extra = responseHeaders(this.headers, trailers)
    for (const name in extra) flat.push(name, extra[name] as string)
    flat.push('content-type', contentType)
    if (ctx.upstream !== undefined) ctx.upstream.status = 200
    this.headSent = true
    if (sendStreamHead(ctx, 200, flat, true)) return true
    this.headSent = false
    const code = (ctx.response?.errorCode ?? 'TG_PLUGIN_FAILED') as ErrorCode
    if (this.status !== undefined) {
      this.exchange.respond(ctx, { code })
      return false
    }
    this.stop('filter', { code })
    return false
  }
}

function noop (): void {}
