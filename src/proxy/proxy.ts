import { performance } from 'node:perf_hooks'
import type { RequestContext } from '../pipeline/context.js'
import type { ForwardedSettings, TrustedProxies } from '../pipeline/forwarded.js'
import { setForwardedHeaders } from '../pipeline/forwarded.js'
import type { Reply } from '../kit/reply.js'
import type { ServiceRuntime } from '../upstream/service.js'
import { UpstreamExchange } from './exchange.js'
import { isIdempotent } from './upstream-request.js'

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
 * with the reply to send when the upstream failed before the head.
 */
export function proxyToService (
  ctx: RequestContext, service: ServiceRuntime, preserveHost: boolean, settings: ProxySettings,
  finish: (ctx: RequestContext) => void, fail: (ctx: RequestContext, reply: Reply) => void
): void {
  const request = ctx.request
  const target = service.balancer.pick(ctx.pickInput())
  ctx.upstream = { serviceId: service.id, target: target?.id, attempts: 0, status: undefined }
  if (target === undefined) {
    fail(ctx, { code: 'TG_UPSTREAM_UNAVAILABLE' })
    return
  }
  const headers = request.headers
  setForwardedHeaders(headers, settings.forwarded, settings.trustedProxies.trusts(request.peerIp), {
    peerIp: request.peerIp, scheme: request.scheme, host: ctx.rawHost, port: ctx.hostPort, httpVersion: request.httpVersion
  })
  headers.set(settings.requestIdHeader, request.id)
  ctx.timings.gatewayMs = ctx.elapsedMs()
  if (service.retry.count > 0) service.retry.budget.onRequest(performance.now())
  new UpstreamExchange(ctx, service, preserveHost, isIdempotent(request.method), finish, fail).send(target)
}
