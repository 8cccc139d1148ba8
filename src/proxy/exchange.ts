import type { Readable } from 'node:stream'
import type { Reply } from '../kit/reply.js'
import type { RequestContext } from '../pipeline/context.js'
import type { RouteRuntime } from '../runtime/snapshot.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { Target, UpstreamFailureKind, UpstreamTimeouts } from '../upstream/transport/transport.js'
import { ProxyAttempt } from './proxy-attempt.js'
import { countRetry, takeRetryFromBudget } from '../upstream/retry-accounting.js'
import { upstreamHost, upstreamTarget } from './upstream-request.js'

/** Failures where nothing of the request reached the target: retried for any method. */
const CONNECT_FAILURES: ReadonlySet<UpstreamFailureKind> = new Set(['connect-refused', 'connect-timeout', 'tls'])

/**
 * The upstream side of one request: its attempts, one `ProxyAttempt` each, and the retry rule
 * between them. A failed attempt is tried again on another target (the balancer picks, excluding
 * every target this request tried) when all of these hold:
 *
 * - nothing of the response reached the client (the failure came before the head was written);
 * - fewer than `retry.count` retries were made, and the client is still there;
 * - it was a connect failure (refused, connect timeout, TLS handshake: nothing was sent, so any
 *   method, and a streamed body that was never read), or else the method is idempotent (or the
 *   route is marked `retryable`) and the
 *   body can be sent again (none, or a Buffer a plugin read): resets, send/read timeouts, bad
 *   responses and the statuses in `retry.onStatuses`;
 * - another target is left, and the service's retry budget allows it.
 *
 * Otherwise the last failure is answered (502/504, `failure-reply.ts`). Each attempt calls the
 * balancer's `onSend` and `onDone` exactly once; `ctx.upstream.attempts` counts the attempts and
 * `ctx.upstream.target` names the last one's target.
 */
export class UpstreamExchange {
  readonly ctx: RequestContext
  readonly service: ServiceRuntime
  readonly finish: (ctx: RequestContext) => void
  readonly fail: (ctx: RequestContext, reply: Reply) => void
  private readonly preserveHost: boolean
  private readonly requestTarget: string
  private readonly body: Buffer | Readable | null
  private readonly bodyLength: number | undefined
  /** Idempotent method, or a route marked retryable: may be sent again after it reached a target. */
  private readonly idempotent: boolean
  private readonly timeouts: UpstreamTimeouts
  /** Targets this request tried; made on the first retry only. */
  private tried: Set<string> | undefined = undefined
  private current: Target | undefined = undefined

  /**
   * @param idempotent the request may be sent again after it reached a target: an idempotent
   * method, or a route marked `retryable`
   */
  constructor (ctx: RequestContext, service: ServiceRuntime, route: RouteRuntime, idempotent: boolean,
    finish: (ctx: RequestContext) => void, fail: (ctx: RequestContext, reply: Reply) => void) {
    const request = ctx.request
    this.ctx = ctx
    this.service = service
    this.preserveHost = route.preserveHost
    this.timeouts = route.timeouts ?? service.timeouts
    this.idempotent = idempotent
    this.finish = finish
    this.fail = fail
    const path = request.path === ctx.matchedPath ? ctx.routedPath : request.path
    this.requestTarget = upstreamTarget(service.basePath, path, request.query)
    this.body = request.bodyBuffer ?? request.bodyStream
    this.bodyLength = this.body === null ? 0 : request.bodyLength
  }

  /** Sends one attempt to `target`. */
  send (target: Target): void {
    const { ctx, service } = this
    const upstream = ctx.upstream
    if (upstream !== undefined) {
      upstream.target = target.id
      upstream.attempts++
    }
    this.current = target
    const headers = ctx.request.headers
    headers.set('host', upstreamHost(ctx, target, this.preserveHost, service.protocol))
    const attempt = new ProxyAttempt(ctx, service, target, this)
    ctx.attempt = attempt
    service.balancer.onSend(target)
    attempt.call = service.transport.request(target, {
      method: ctx.request.method,
      path: this.requestTarget,
      headers: headers.toFlat(),
      body: this.body,
      bodyLength: this.bodyLength,
      timeouts: this.timeouts,
      idempotent: this.idempotent
    }, attempt)
  }

  /** True when an answer with `status` is to be dropped and retried (before anything reaches the client). */
  retriesStatus (status: number): boolean {
    return this.service.retry.onStatuses.has(status) && this.replayable()
  }

  /**
   * The current attempt failed before anything reached the client (its `onDone` was called): sends
   * the next attempt when the rule allows it. `kind` is undefined for a status in `onStatuses`.
   * @returns true when another attempt took over, false when the caller must answer the failure
   */
  retry (kind: UpstreamFailureKind | undefined): boolean {
    const { ctx, service } = this
    if (ctx.clientAborted || (ctx.upstream?.attempts ?? 1) > service.retry.count) return false
    if (kind === undefined ? !this.replayable() : !this.mayRetry(kind)) return false
    const tried = (this.tried ??= new Set())
    if (this.current !== undefined) tried.add(this.current.id)
    const next = service.balancer.pick(ctx.pickInput(), tried)
    if (next === undefined) return false
    if (!takeRetryFromBudget(service, ctx.log)) return false
    countRetry(service)
    this.send(next)
    return true
  }

  private mayRetry (kind: UpstreamFailureKind): boolean {
    if (CONNECT_FAILURES.has(kind)) {
      const body = this.body
      // A stream the transport never started reading is whole; one it read from is not.
      return body === null || Buffer.isBuffer(body) || !body.readableDidRead
    }
    return kind !== 'aborted' && this.replayable()
  }

  /** Idempotent with a body that can be sent again (none, or a Buffer). */
  private replayable (): boolean {
    return this.idempotent && (this.body === null || Buffer.isBuffer(this.body))
  }
}
