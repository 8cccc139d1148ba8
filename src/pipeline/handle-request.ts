import { HeaderList } from '../kit/headers.js'
import type { Logger } from '../kit/logger.js'
import type { Reply } from '../kit/reply.js'
import type { PhaseTimings } from '../kit/context.js'
import { normaliseRequestTarget } from '../router/normalise-path.js'
import type { IngressRequest, ResponseSink } from '../server/ingress/ingress.js'
import type { Snapshot } from '../runtime/snapshot.js'
import { proxyToService } from '../proxy/proxy.js'
import { callTgRpcService } from '../conversion/tgrpc/call-backend.js'
import { callGrpcService } from '../conversion/grpc/call-backend.js'
import { RequestContext, RequestView } from './context.js'
import { stripHopByHop } from './hop-by-hop.js'
import { decideRequestId } from './request-id.js'
import { sendReply } from './respond.js'
import { runPhase, type PhaseOutcome } from './run-phase.js'
import { finishRequest } from './finish.js'
import { plainIp } from './forwarded.js'
import { EMPTY_CHAIN } from './chain.js'
import { activeRequests } from '../server/active-requests.js'
import { observability } from '../tracing/observability-settings.js'
import { checkDebugHeader, startTrace } from '../tracing/request-hooks.js'

/** What the request driver needs from its worker: the current snapshot, a logger, drain state. */
export interface RequestDriver {
  readonly snapshot: Snapshot | undefined
  readonly log: Logger
  readonly draining: boolean
}

/**
 * The request path of one worker (DESIGN.md §2): context → normalise → route → rewrite → access →
 * content (plugins, then the proxy) → response filters → log. Each step continues synchronously
 * unless a plugin returned a promise.
 */
export function handleRequest (driver: RequestDriver, incoming: IngressRequest, sink: ResponseSink): void {
  activeRequests.count++
  const snapshot = driver.snapshot
  const headers = HeaderList.fromRaw(incoming.rawHeaders)
  const peerIp = plainIp(incoming.peerIp)
  const trustedPeer = snapshot?.proxy.trustedProxies.trusts(peerIp) ?? false
  const idSettings = snapshot?.requestId
  const requestId = decideRequestId(
    idSettings === undefined ? undefined : headers.get(idSettings.header),
    idSettings !== undefined && idSettings.trustIncoming && (trustedPeer || idSettings.fromAnyPeer)
  )
  const rawHost = incoming.authority ?? headers.get('host') ?? ''
  const { host, port } = splitHost(rawHost)
  const clientIp = snapshot === undefined ? peerIp : snapshot.proxy.trustedProxies.clientIp(peerIp, headers)
  stripHopByHop(headers)
  const normalised = normaliseRequestTarget(incoming.target)
  const request = new RequestView({
    id: requestId,
    method: incoming.method,
    path: normalised.ok ? normalised.path : '/',
    query: normalised.ok ? normalised.query : '',
    headers,
    host,
    scheme: incoming.tls ? 'https' : 'http',
    clientIp,
    peerIp,
    httpVersion: incoming.httpVersion,
    body: incoming.body,
    bodyLength: incoming.bodyLength,
    maxBodyBytes: snapshot?.limits.maxBodyBytes ?? 0
  })
  const ctx = new RequestContext(request, sink, driver.log, EMPTY_CHAIN, answerBodyTooLarge)
  ctx.rawHost = rawHost
  ctx.hostPort = port !== '' ? port : String(incoming.localPort)
  if (observability.tracing) startTrace(ctx, headers, trustedPeer)
  const debugHeader = observability.debugHeader
  if (debugHeader !== undefined) checkDebugHeader(ctx, headers, debugHeader)
  if (driver.draining) sink.closeAfterResponse()
  sink.onAbort(() => onClientAbort(ctx))
  if (snapshot === undefined) return sendReply(ctx, { code: 'TG_SHUTTING_DOWN', message: 'the gateway has no configuration loaded yet' }, finishRequest)
  snapshot.inFlight++
  ctx.snapshot = snapshot
  if (!normalised.ok) return sendReply(ctx, { code: 'TG_REQUEST_BAD_PATH', message: `the request path is not allowed: ${normalised.reason}` }, finishRequest)
  if (incoming.target.length > snapshot.limits.maxUrlBytes) return sendReply(ctx, { code: 'TG_REQUEST_URL_TOO_LONG' }, finishRequest)
  if (incoming.rawHeaders.length / 2 > snapshot.limits.maxHeaderCount) return sendReply(ctx, { code: 'TG_REQUEST_HEADERS_TOO_LARGE' }, finishRequest)
  if (rawHost === '' && incoming.httpVersion === '1.1') return sendReply(ctx, { code: 'TG_REQUEST_MALFORMED', message: 'an HTTP/1.1 request needs a Host header (RFC 9112 §3.2)' }, finishRequest)

  const match = request.method === 'OPTIONS' ? matchPreflight(snapshot, request, host) : snapshot.router.match(request.method, host, request.path)
  if (match === undefined) return sendReply(ctx, { code: 'TG_ROUTE_NOT_FOUND' }, finishRequest)
  const route = snapshot.routes.get(match.route.id)
  if (route === undefined) return sendReply(ctx, { code: 'TG_INTERNAL' }, finishRequest)
  ctx.routeId = route.id
  ctx.serviceId = route.serviceId
  ctx.matchedPath = request.path
  ctx.routedPath = match.upstreamPath
  ctx.chain = snapshot.chains.forRoute(route.id)
  enterPhase(ctx, 'rewrite', afterRewrite)
}

function afterRewrite (ctx: RequestContext): void {
  enterPhase(ctx, 'access', afterAccess)
}

function afterAccess (ctx: RequestContext): void {
  enterPhase(ctx, 'content', proxy)
}

/** Runs one plugin phase, records how long it took (async waits included), then goes on. */
function enterPhase (ctx: RequestContext, phase: keyof PhaseTimings, next: (ctx: RequestContext) => void): void {
  const startedAt = performance.now()
  const outcome = runPhase(ctx, phase)
  if (outcome instanceof Promise) {
    continueWith(ctx, outcome.finally(() => { ctx.timings.phaseMs[phase] = performance.now() - startedAt }), next)
    return
  }
  ctx.timings.phaseMs[phase] = performance.now() - startedAt
  continueWith(ctx, outcome, next)
}

function proxy (ctx: RequestContext): void {
  const snapshot = ctx.snapshot as Snapshot
  const service = snapshot.services.get(ctx.serviceId)
  const route = snapshot.routes.get(ctx.routeId)
  if (service === undefined || route === undefined) return sendReply(ctx, { code: 'TG_INTERNAL' }, finishRequest)
  if (ctx.clientAborted) return finishRequest(ctx)
  if (ctx.request.bodyTooLarge) return answerBodyTooLarge(ctx)
  if (route.tgrpc !== undefined) return callTgRpcService(ctx, service, route, route.tgrpc, finishRequest, failRequest)
  if (service.grpc !== undefined) return callGrpcService(ctx, service, route, snapshot.proxy.requestIdHeader, finishRequest, failRequest)
  proxyToService(ctx, service, route, snapshot.proxy, finishRequest, failRequest)
}

/** A body capped by a plugin (`request.limitBody`) went past its cap. */
function answerBodyTooLarge (ctx: RequestContext): void {
  sendReply(ctx, { code: 'TG_REQUEST_BODY_TOO_LARGE' }, finishRequest)
}

function failRequest (ctx: RequestContext, reply: Reply): void {
  sendReply(ctx, reply, finishRequest)
}

/** Runs `next` when the phase let the request through, sends the reply when it ended it. */
function continueWith (ctx: RequestContext, outcome: PhaseOutcome, next: (ctx: RequestContext) => void): void {
  if (outcome === undefined) {
    if (ctx.clientAborted) return finishRequest(ctx)
    return next(ctx)
  }
  if (outcome instanceof Promise) {
    outcome.then((reply) => continueWith(ctx, reply, next), (error: unknown) => {
      ctx.log.error({ err: error }, 'request pipeline failed')
      sendReply(ctx, { code: 'TG_INTERNAL' }, finishRequest)
    })
    return
  }
  sendReply(ctx, outcome, finishRequest)
}

function onClientAbort (ctx: RequestContext): void {
  if (ctx.finished) return
  ctx.clientAborted = true
  if (ctx.attempt !== undefined) {
    ctx.attempt.abortByClient()
    finishRequest(ctx)
  }
}

/**
 * A CORS preflight (OPTIONS with Origin and Access-Control-Request-Method) belongs to the route the
 * real request will take, so it is routed by the requested method when that route has cors: a
 * route limited to `methods: [PUT]` still gets its preflights. Otherwise OPTIONS routes as usual.
 */
function matchPreflight (snapshot: Snapshot, request: RequestView, host: string): ReturnType<Snapshot['router']['match']> {
  const requested = request.headers.get('access-control-request-method')
  if (requested !== undefined && request.headers.has('origin')) {
    const match = snapshot.router.match(requested, host, request.path)
    if (match !== undefined && snapshot.chains.forRoute(match.route.id).names.includes('cors')) return match
  }
  return snapshot.router.match(request.method, host, request.path)
}

/** Host header → lower-case host without port, and the port text ('' when absent). */
function splitHost (rawHost: string): { host: string, port: string } {
  if (rawHost === '') return { host: '', port: '' }
  if (rawHost.charCodeAt(0) === 91 /* [ */) {
    const end = rawHost.indexOf(']')
    return { host: rawHost.slice(0, end + 1).toLowerCase(), port: end !== -1 && rawHost[end + 1] === ':' ? rawHost.slice(end + 2) : '' }
  }
  const colon = rawHost.lastIndexOf(':')
  if (colon === -1) return { host: rawHost.toLowerCase(), port: '' }
  return { host: rawHost.slice(0, colon).toLowerCase(), port: rawHost.slice(colon + 1) }
}
