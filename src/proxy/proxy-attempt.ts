import { performance } from 'node:perf_hooks'
import type { RequestContext } from '../pipeline/context.js'
import { endStream, sendStreamChunk, sendStreamHead } from '../pipeline/stream-response.js'
import { stripHopByHopFlat } from '../pipeline/hop-by-hop.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { Target, UpstreamCall, UpstreamFailure, UpstreamResponseHandler } from '../upstream/transport/transport.js'
import type { UpstreamExchange } from './exchange.js'
import { failureReply } from './failure-reply.js'

/**
 * One upstream attempt: streams the response head and body to the client and reports the outcome
 * to the balancer exactly once, on every path (end, error, client abort, a retried status). A
 * failure before anything reached the client goes to the exchange, which may start another
 * attempt. A class rather than closures: one allocation per attempt on the hot path.
 */
export class ProxyAttempt implements UpstreamResponseHandler {
  call: UpstreamCall | undefined = undefined
  /** The attempt ended: nothing more is done for it. */
  private settled = false
  /** The balancer's onDone was called (once; a retried status reports before the attempt ends). */
  private reported = false
  private readonly sentAt = performance.now()
  private readonly ctx: RequestContext
  private readonly service: ServiceRuntime
  private readonly target: Target
  private readonly exchange: UpstreamExchange
  private status = 0
  /** Milliseconds from send to the response head, -1 until it arrived. */
  private headLatencyMs = -1

  constructor (ctx: RequestContext, service: ServiceRuntime, target: Target, exchange: UpstreamExchange) {
    this.ctx = ctx
    this.service = service
    this.target = target
    this.exchange = exchange
  }

  onHead (status: number, headers: string[]): void {
    const ctx = this.ctx
    this.status = status
    if (this.exchange.retriesStatus(status) && this.retryStatus()) return
    this.headLatencyMs = performance.now() - this.sentAt
    ctx.timings.upstreamMs = this.headLatencyMs
    if (ctx.upstream !== undefined) ctx.upstream.status = status
    const flat = stripHopByHopFlat(headers)
    if (sendStreamHead(ctx, status, flat, false)) return
    this.settle(false)
    this.call?.abort()
    this.exchange.fail(ctx, { code: (ctx.response?.errorCode ?? 'TG_PLUGIN_FAILED') as 'TG_PLUGIN_FAILED' })
  }

  onData (chunk: Buffer): boolean {
    return sendStreamChunk(this.ctx, chunk, this.resume)
  }

  onEnd (): void {
    this.settle(true)
    endStream(this.ctx)
    this.exchange.finish(this.ctx)
  }

  onError (error: UpstreamFailure): void {
    const ctx = this.ctx
    if (this.settled) return
    if (error.kind === 'aborted') {
      // The request body failed on the client's side (it went away, or sent a broken body): not
      // the target's fault, so neither a success nor a failure for the balancer and ejection.
      this.settle(true, true)
      if (ctx.clientAborted) return // the client-abort path finishes the request
      if (ctx.sink.headersSent) {
        ctx.sink.destroy()
        this.exchange.finish(ctx)
        return
      }
      this.exchange.fail(ctx, { code: 'TG_REQUEST_MALFORMED', message: 'the request body could not be read' })
      return
    }
    this.settle(false)
    ctx.log.warn({ target: this.target.id, kind: error.kind, err: error.message }, 'upstream attempt failed')
    if (ctx.sink.headersSent || error.afterHead) {
      // The head is on the wire: the only honest signal left is to cut the connection.
      ctx.sink.destroy()
      ctx.upstreamError = error.kind
      this.exchange.finish(ctx)
      return
    }
    if (this.exchange.retry(error.kind)) return
    this.exchange.fail(ctx, failureReply(error))
  }

  /** The client went away: stop the upstream attempt and count it as neither success nor failure of the target. */
  abortByClient (): void {
    if (this.settled) return
    this.settle(true, true)
    this.call?.abort()
  }

  /**
   * A status the service retries arrived: drop this answer (its connection too) and hand over to
   * the next attempt. False, with nothing done, when no retry is possible: the answer goes through.
   */
  private retryStatus (): boolean {
    // onDone first: the failed target must be counted (and maybe ejected) before the next pick.
    // Counted as a failure even when no retry follows: the service said this status is one.
    this.reported = true
    this.reportDone(false, false)
    const call = this.call
    if (!this.exchange.retry(undefined)) return false
    this.settled = true
    call?.abort()
    return true
  }

  private readonly resume = (): void => { this.call?.resume() }

  private settle (ok: boolean, aborted = false): void {
    if (this.settled) return
    this.settled = true
    if (this.reported) return
    this.reported = true
    this.reportDone(ok, aborted)
  }

  private reportDone (ok: boolean, aborted: boolean): void {
    const healthy = ok && this.status !== 502 && this.status !== 503 && this.status !== 504
    // The balancer learns the target's latency to the response head, not the body's transfer time,
    // which depends on the size and the client's pace; the in-flight count drops only at the end.
    const latencyMs = this.headLatencyMs >= 0 ? this.headLatencyMs : performance.now() - this.sentAt
    this.service.balancer.onDone(this.target, aborted ? { latencyMs, ok: true, aborted } : { latencyMs, ok: healthy })
  }
}
