import { performance } from 'node:perf_hooks'
import type { RequestContext } from '../../pipeline/context.js'
import type { Reply } from '../../kit/reply.js'
import type { RouteRuntime } from '../../runtime/snapshot.js'
import type { ServiceRuntime } from '../../upstream/service.js'
import type { Target } from '../../upstream/transport/transport.js'
import { bodyReadFailure, unavailableReply } from '../../proxy/failure-reply.js'
import type { TgRpcClients } from './clients.js'
import type { TgRpcRouteCall } from './route-call.js'
import { callHeaders } from './call-headers.js'
import { replyForCallError, replyForRpcAnswer, isTargetFailure } from './replies.js'
import type { TgRpcCallError } from '../../tgrpc/errors.js'
import type { TgRpcReply } from '../../tgrpc/client-connection.js'
import { TgRpcStatus } from '../../tgrpc/status.js'
import { countRetry, takeRetryFromBudget } from '../../upstream/retry-accounting.js'
import { isIdempotent } from '../../proxy/upstream-request.js'

/**
 * The content end of a route to a tgrpc service: reads the body (the merchant's bytes, or a
 * transformer's), calls the mapped service/method on a target the balancer picked, and answers
 * the merchant. Every attempt reports to the balancer exactly once (send +1; response, error,
 * timeout or client abort −1). A call that never left the gateway (connect failure, backoff,
 * GOAWAY) is tried on another target within the service's retry count and budget; so is a call
 * lost with its connection when running it twice is safe (an idempotent method, or a route marked
 * `retryable`), as for HTTP and gRPC. A call that passed its deadline is never repeated.
 */
export function callTgRpcService (
  ctx: RequestContext, service: ServiceRuntime, route: RouteRuntime, call: TgRpcRouteCall,
  finish: (ctx: RequestContext) => void, respond: (ctx: RequestContext, reply: Reply) => void
): void {
  const clients = service.tgrpc as TgRpcClients
  ctx.upstream = { serviceId: service.id, target: undefined, attempts: 0, status: undefined }
  const start = (body: Buffer): void => {
    if (ctx.clientAborted) return finish(ctx)
    ctx.timings.gatewayMs = ctx.elapsedMs()
    if (service.retry.count > 0) service.retry.budget.onRequest(performance.now())
    new TgRpcExchange(ctx, service, route, call, clients, body, finish, respond).attempt()
  }
  // A request without a body (most GETs) goes out now, without a promise turn.
  const known = ctx.request.knownBody()
  if (known !== undefined) return start(known)
  ctx.request.readBody().then(start, (error: unknown) => respond(ctx, bodyReadFailure(error)))
}

class TgRpcExchange {
  private readonly tried = new Set<string>()
  private readonly headers: Array<readonly [string, string]>

  constructor (
    private readonly ctx: RequestContext,
    private readonly service: ServiceRuntime,
    private readonly route: RouteRuntime,
    private readonly call: TgRpcRouteCall,
    private readonly clients: TgRpcClients,
    private readonly body: Buffer,
    private readonly finish: (ctx: RequestContext) => void,
    private readonly respond: (ctx: RequestContext, reply: Reply) => void
  ) {
    this.headers = callHeaders(ctx, call)
  }

  attempt (): void {
    const { ctx, service } = this
    const target = service.balancer.pick(ctx.pickInput(), this.tried)
    if (target === undefined) return this.respond(ctx, unavailableReply(service.balancer.retryAfterMs(performance.now())))
    this.tried.add(target.id)
    const upstream = ctx.upstream
    if (upstream !== undefined) {
      upstream.target = target.id
      upstream.attempts++
    }
    service.balancer.onSend(target)
    const startedAt = performance.now()
    const timeoutMs = (this.route.timeouts ?? service.timeouts).readMs
    const cancel = this.clients.forTarget(target).call(
      { service: this.call.service, method: this.call.method, headers: this.headers, body: this.body, timeoutMs },
      (error, reply) => this.onEnd(target, performance.now() - startedAt, error, reply)
    )
    ctx.attempt = { abortByClient: cancel }
  }

  private onEnd (target: Target, latencyMs: number, error: TgRpcCallError | undefined, reply: TgRpcReply | undefined): void {
    const { ctx, service } = this
    ctx.attempt = undefined
    if (error !== undefined && error.status === TgRpcStatus.CANCELLED) {
      // The merchant went away; the pipeline already ended the request.
      service.balancer.onDone(target, { latencyMs, ok: true, aborted: true })
      return
    }
    service.balancer.onDone(target, { latencyMs, ok: !isTargetFailure(error, reply) })
    if (ctx.clientAborted) return this.finish(ctx)
    if (error !== undefined) {
      if (this.mayRepeat(error) && this.mayRetry()) return this.retry()
      return this.respond(ctx, replyForCallError(error))
    }
    const answer = reply as TgRpcReply
    ctx.timings.upstreamMs = latencyMs
    const outcome = replyForRpcAnswer(answer)
    if (ctx.upstream !== undefined) ctx.upstream.status = outcome.status
    // Both kinds go out through sendReply: the standard JSON error, or the backend's body as it came.
    this.respond(ctx, outcome)
  }

  /** Never sent, or lost with its connection on a request that may run twice. */
  private mayRepeat (error: TgRpcCallError): boolean {
    if (!error.maybeSent) return true
    return error.status === TgRpcStatus.UNAVAILABLE && (isIdempotent(this.ctx.request.method) || this.route.retryable)
  }

  private mayRetry (): boolean {
    return this.tried.size <= this.service.retry.count && takeRetryFromBudget(this.service, this.ctx.log)
  }

  /** Sends the call again; counted as a retry when a target was left (`attempt` adds it to `tried`; with none left it answered 503). */
  private retry (): void {
    const triedBefore = this.tried.size
    this.attempt()
    if (this.tried.size > triedBefore) countRetry(this.service)
  }
}
