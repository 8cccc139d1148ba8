import { performance } from 'node:perf_hooks'
import type { RequestContext } from '../pipeline/context.js'
import type { ForwardedSettings, TrustedProxies } from '../pipeline/forwarded.js'
import { setForwardedHeaders } from '../pipeline/forwarded.js'
import type { Reply } from '../kit/reply.js'
import type { RouteRuntime } from '../runtime/snapshot.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { Target } from '../upstream/transport/transport.js'
import { UpstreamExchange } from './exchange.js'
import { isIdempotent } from './upstream-request.js'
import { bodyReadFailure, unavailableReply } from './failure-reply.js'

/** What the proxy needs of the running config besides the service. */
export interface ProxySettings {
  readonly forwarded: ForwardedSettings
  readonly trustedProxies: TrustedProxies
  readonly requestIdHeader: string
}

/**
 * The built-in end of the content phase: picks a target, sends the request with its body streamed
 * (or the buffer a plugin read), and streams the answer back; a failed attempt may be retried on
 * another target (`UpstreamExchange`). Calls `finish` once the response is complete, or `fail`
 * with the reply to send when the upstream failed before the head. No usable target (every one
 * down or ejected) is answered 503 with `Retry-After` at once.
 *
 * A route marked `retryable` lets a non-idempotent request be retried like an idempotent one; its
 * streamed body is read into memory first (bounded by the listener's body limit) so that it can be
 * sent again.
 */
export function proxyToService (
  ctx: RequestContext, service: ServiceRuntime, route: RouteRuntime, settings: ProxySettings,
  finish: (ctx: RequestContext) => void, fail: (ctx: RequestContext, reply: Reply) => void
): void {
  const request = ctx.request
  const target = service.balancer.pick(ctx.pickInput())
  ctx.upstream = { serviceId: service.id, target: target?.id, attempts: 0, status: undefined }
  if (target === undefined) {
    fail(ctx, unavailableReply(service.balancer.retryAfterMs(performance.now())))
    return
  }
  const headers = request.headers
  setForwardedHeaders(headers, settings.forwarded, settings.trustedProxies.trusts(request.peerIp), {
    peerIp: request.peerIp, scheme: request.scheme, host: ctx.rawHost, port: ctx.hostPort, httpVersion: request.httpVersion
  })
  headers.set(settings.requestIdHeader, request.id)
  ctx.timings.gatewayMs = ctx.elapsedMs()
  const idempotent = isIdempotent(request.method)
  const retryable = idempotent || route.retryable
  if (service.retry.count > 0) service.retry.budget.onRequest(performance.now())
  if (!idempotent && route.retryable && service.retry.count > 0 && request.bodyStream !== null) {
    bufferThenSend(ctx, service, route, target, finish, fail)
    return
  }
  new UpstreamExchange(ctx, service, route, retryable, finish, fail).send(target)
}

/** Reads the body of a retryable request into memory, then sends the first attempt. */
function bufferThenSend (
  ctx: RequestContext, service: ServiceRuntime, route: RouteRuntime, target: Target,
  finish: (ctx: RequestContext) => void, fail: (ctx: RequestContext, reply: Reply) => void
): void {
  ctx.request.readBody().then(() => {
    if (ctx.clientAborted) return finish(ctx)
    new UpstreamExchange(ctx, service, route, true, finish, fail).send(target)
  }, (error: unknown) => {
    if (ctx.clientAborted) return finish(ctx)
    fail(ctx, bodyReadFailure(error))
  })
}
