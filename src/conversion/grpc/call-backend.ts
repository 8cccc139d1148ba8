import { performance } from 'node:perf_hooks'
import type { Client, Metadata, StatusObject } from '@grpc/grpc-js'
import type { RequestContext } from '../../pipeline/context.js'
import type { Reply } from '../../kit/reply.js'
import type { RouteRuntime } from '../../runtime/snapshot.js'
import type { ServiceRuntime } from '../../upstream/service.js'
import type { Target } from '../../upstream/transport/transport.js'
import { bodyReadFailure, unavailableReply } from '../../proxy/failure-reply.js'
import { isIdempotent } from '../../proxy/upstream-request.js'
import { JsonCodecError } from '../../codec/json/index.js'
import type { GrpcServiceRuntime } from './service-runtime.js'
import type { GrpcBinding } from './http-rules/bindings.js'
import { requestMessage } from './request-message.js'
import { MappingError } from './mapping/mapping-error.js'
import { callMetadata } from './call-metadata.js'
import { rawBytes } from './clients.js'
import { isTargetFailure, replyForStatus } from './replies.js'
import { GrpcStatus } from './status.js'
import { ServerStreamAttempt } from './server-stream.js'
import { countRetry, takeRetryFromBudget } from '../../upstream/retry-accounting.js'

/**
 * The content end of a route to a grpc service: picks the method (the route's `grpc` mapping, or
 * the first annotated binding whose HTTP method and path template fit), builds the request
 * message from path, query and body, calls it on a target the balancer picked, and answers with
 * the response as proto3 JSON (or the raw body of a google.api.HttpBody) or the gRPC status as an
 * HTTP error; a server-streaming method's messages are sent on as they arrive
 * (`server-stream.ts`). Every attempt reports to the balancer exactly once (send +1; response,
 * end of stream, error, deadline or client abort −1).
 */
export function callGrpcService (
  ctx: RequestContext, service: ServiceRuntime, route: RouteRuntime, requestIdHeader: string,
  finish: (ctx: RequestContext) => void, respond: (ctx: RequestContext, reply: Reply) => void
): void {
  const grpc = service.grpc as GrpcServiceRuntime
  const chosen = chooseBinding(grpc, route.grpc, ctx.request.method, ctx.routedPath)
  if (chosen === undefined) {
    return respond(ctx, { code: 'TG_ROUTE_NOT_FOUND', message: `no gRPC method is bound to ${ctx.request.method} ${ctx.routedPath}` })
  }
  ctx.upstream = { serviceId: service.id, target: undefined, attempts: 0, status: undefined }
  ctx.request.readBody().then((body) => {
    if (ctx.clientAborted) return finish(ctx)
    let message: Uint8Array
    try {
      message = requestMessage(chosen.binding, { pathValues: chosen.pathValues, query: ctx.request.query, body, contentType: ctx.request.headers.get('content-type'), ignoredQuery: grpc.ignoredQuery })
    } catch (error) {
      if (error instanceof MappingError) return respond(ctx, { code: 'TG_REQUEST_FIELD_INVALID', message: error.describe() })
      if (error instanceof JsonCodecError) return respond(ctx, { code: 'TG_REQUEST_BODY_INVALID_JSON', message: error.message })
      throw error
    }
    ctx.timings.gatewayMs = ctx.elapsedMs()
    if (service.retry.count > 0) service.retry.budget.onRequest(performance.now())
    const metadata = callMetadata(ctx, requestIdHeader, grpc.forwardHeaders)
    new GrpcExchange(ctx, service, route, grpc, chosen.binding, Buffer.from(message.buffer, message.byteOffset, message.byteLength), metadata, finish, respond).attempt()
  }).catch((error: unknown) => {
    if (ctx.finished) return
    respond(ctx, bodyReadFailure(error))
  })
}

/** The binding that serves a request, with its path variable values; undefined when none fits. */
function chooseBinding (grpc: GrpcServiceRuntime, routeBinding: GrpcBinding | undefined, method: string, path: string): { binding: GrpcBinding, pathValues: string[] } | undefined {
  if (routeBinding !== undefined) {
    const pathValues = routeBinding.template === undefined ? [] : routeBinding.template.match(path)
    return pathValues === undefined ? undefined : { binding: routeBinding, pathValues }
  }
  for (const binding of grpc.bindings) {
    if (binding.httpMethod !== method) continue
    const pathValues = binding.template?.match(path)
    if (pathValues !== undefined) return { binding, pathValues }
  }
  return undefined
}

/**
 * The attempts of one call: a target the balancer picks (never one this request tried), the call
 * on it, and another attempt when the rule allows it. Each attempt reports to the balancer once.
 */
export class GrpcExchange {
  private readonly tried = new Set<string>()
  private readonly mayRepeat: boolean
  /** The route's read timeout, else the service's: a unary call's deadline, a stream's longest wait between messages. */
  readonly readTimeoutMs: number

  constructor (
    readonly ctx: RequestContext,
    readonly service: ServiceRuntime,
    route: RouteRuntime,
    readonly grpc: GrpcServiceRuntime,
    readonly binding: GrpcBinding,
    readonly message: Buffer,
    readonly metadata: Metadata,
    readonly finish: (ctx: RequestContext) => void,
    readonly respond: (ctx: RequestContext, reply: Reply) => void
  ) {
    // A call that may have reached the backend is repeated only when the route says that is safe.
    this.mayRepeat = isIdempotent(ctx.request.method) || route.retryable
    this.readTimeoutMs = (route.timeouts ?? service.timeouts).readMs
  }

  attempt (): void {
    const { ctx, service } = this
    const target = service.balancer.pick(ctx.pickInput(), this.tried)
    if (target === undefined) return this.respond(ctx, unavailableReply(service.balancer.retryAfterMs(performance.now())))
    this.tried.add(target.id)
    if (ctx.upstream !== undefined) {
      ctx.upstream.target = target.id
      ctx.upstream.attempts++
    }
    service.balancer.onSend(target)
    if (this.binding.serverStreaming) new ServerStreamAttempt(this, target).start()
    else this.callUnary(target)
  }

  /**
   * Starts another attempt when `status` is UNAVAILABLE before any response header (most likely
   * never delivered: a connect failure), the call may be repeated, and count and budget allow it.
   * Counted like the HTTP proxy's retries (`upstream/retry-accounting.ts`), for unary and
   * server-streaming calls alike.
   * @returns true when another attempt took over
   */
  retryUnavailable (status: StatusObject, headers: Metadata | undefined): boolean {
    if (status.code !== GrpcStatus.UNAVAILABLE || headers !== undefined || !this.mayRepeat) return false
    if (this.tried.size > this.service.retry.count || !takeRetryFromBudget(this.service, this.ctx.log)) return false
    const triedBefore = this.tried.size
    this.attempt()
    // attempt() adds the target it sends to; with none left it answered 503 instead: not a retry.
    if (this.tried.size > triedBefore) countRetry(this.service)
    return true
  }

  /** grpc-js refused the call synchronously, which it does only on a closed channel (the worker is stopping). */
  refused (target: Target, startedAt: number, error: unknown): void {
    this.service.balancer.onDone(target, { latencyMs: performance.now() - startedAt, ok: false })
    this.respond(this.ctx, { code: 'TG_UPSTREAM_CONNECT_FAILED', message: (error as Error).message })
  }

  private callUnary (target: Target): void {
    const ctx = this.ctx
    const startedAt = performance.now()
    let cancelled = false
    let headers: Metadata | undefined
    let response: Buffer | undefined
    let call: ReturnType<Client['makeUnaryRequest']>
    try {
      call = this.grpc.clients.forTarget(target).makeUnaryRequest<Buffer, Buffer>(
        this.binding.grpcPath, rawBytes, rawBytes, this.message, this.metadata, { deadline: Date.now() + this.readTimeoutMs },
        (_error, value) => { response = value }
      )
    } catch (error) {
      return this.refused(target, startedAt, error)
    }
    call.on('metadata', (received: Metadata) => { headers = received })
    // grpc-js emits 'status' once per call, right after the callback, with the trailers.
    call.on('status', (status: StatusObject) => this.onUnaryEnd(target, performance.now() - startedAt, cancelled, status, response, headers))
    ctx.attempt = {
      abortByClient: () => {
        cancelled = true
        call.cancel()
      }
    }
  }

  private onUnaryEnd (target: Target, latencyMs: number, cancelled: boolean, status: StatusObject, response: Buffer | undefined, headers: Metadata | undefined): void {
    const { ctx, service } = this
    ctx.attempt = undefined
    if (cancelled) {
      // The merchant went away; the pipeline already ended the request.
      service.balancer.onDone(target, { latencyMs, ok: true, aborted: true })
      return
    }
    service.balancer.onDone(target, { latencyMs, ok: !isTargetFailure(status.code) })
    if (ctx.clientAborted) return this.finish(ctx)
    if (this.retryUnavailable(status, headers)) return
    ctx.timings.upstreamMs = latencyMs
    const reply = replyForStatus(this.binding, status, response, headers)
    if (ctx.upstream !== undefined) ctx.upstream.status = reply.status
    this.respond(ctx, reply)
  }
}
