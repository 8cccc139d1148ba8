import type { RequestContext } from '../pipeline/context.js'
import type { ForwardedSettings, TrustedProxies } from '../pipeline/forwarded.js'
import { setForwardedHeaders } from '../pipeline/forwarded.js'
import type { Reply } from '../kit/reply.js'
import type { ServiceRuntime } from '../upstream/service.js'
import { ProxyAttempt } from './proxy-attempt.js'
import { isIdempotent, upstreamHost, upstreamTarget } from './upstream-request.js'

/** What the proxy needs of the running config besides the service. */
export interface ProxySettings {
  readonly forwarded: ForwardedSettings
  readonly trustedProxies: TrustedProxies
  readonly requestIdHeader: string
}

/**
 * The built-in end of the content phase: picks a target, sends the request with its body streamed
 * (or the buffer a plugin read), and streams the answer back. Calls `finish` once the response is
 * complete, or `fail` with the reply to send when the upstream failed before the head.
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
  headers.set('host', upstreamHost(ctx, target, preserveHost, service.protocol))
  const path = request.path === ctx.matchedPath ? ctx.routedPath : request.path
  const body = request.bodyBuffer ?? request.bodyStream
  ctx.upstream.attempts = 1
  ctx.timings.gatewayMs = ctx.elapsedMs()
  const attempt = new ProxyAttempt(ctx, service, target, finish, fail)
  ctx.attempt = attempt
  service.balancer.onSend(target)
  attempt.call = service.transport.request(target, {
    method: request.method,
    path: upstreamTarget(service.basePath, path, request.query),
    headers: headers.toFlat(),
    body,
    bodyLength: body === null ? 0 : request.bodyLength,
    timeouts: service.timeouts,
    idempotent: isIdempotent(request.method)
  }, attempt)
}
