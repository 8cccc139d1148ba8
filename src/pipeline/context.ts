import { performance } from 'node:perf_hooks'
import type { Readable } from 'node:stream'
import type { PluginContext, GatewayRequest, GatewayResponse, PluginSlots, RequestTimings, UpstreamInfo } from '../kit/context.js'
import { HeaderList } from '../kit/headers.js'
import type { Merchant } from '../kit/merchant.js'
import type { Logger } from '../kit/logger.js'
import type { ResponseSink } from '../server/ingress/ingress.js'
import { findQueryParam, withoutQueryParam } from './query.js'
import { readWholeBody } from './request-body.js'
import { limitBodyStream } from './body-limit.js'
import type { Chain } from './chain.js'
import type { PickInput } from '../upstream/balancers/balancer.js'
import type { Snapshot } from '../runtime/snapshot.js'
import type { TraceContext } from '../tracing/trace-context.js'

/** The request as plugins see it; owns the body until it is proxied. */
/** The body of a request without one (shared: nothing writes to it). */
const NO_BODY = Buffer.alloc(0)

export class RequestView implements GatewayRequest {
  readonly id: string
  readonly method: string
  path: string
  query: string
  readonly headers: HeaderList
  readonly host: string
  readonly scheme: 'http' | 'https'
  readonly clientIp: string
  readonly peerIp: string
  readonly httpVersion: string
  bodyLength: number | undefined
  /** The unread body stream; null once buffered or when there is none. */
  bodyStream: Readable | null
  /** The body read by a plugin, sent upstream instead of the stream. */
  bodyBuffer: Buffer | undefined
  /** True once a body capped with `limitBody()` went past its cap. */
  bodyTooLarge = false
  /** The context this request belongs to: told when a capped body goes past its cap. */
  owner: { bodyLimitExceeded (): void } | undefined = undefined
  private bodyPromise: Promise<Buffer> | undefined
  private readonly maxBodyBytes: number

  constructor (init: {
    id: string, method: string, path: string, query: string, headers: HeaderList, host: string,
    scheme: 'http' | 'https', clientIp: string, peerIp: string, httpVersion: string,
    body: Readable | null, bodyLength: number | undefined, maxBodyBytes: number
  }) {
    this.id = init.id
    this.method = init.method
    this.path = init.path
    this.query = init.query
    this.headers = init.headers
    this.host = init.host
    this.scheme = init.scheme
    this.clientIp = init.clientIp
    this.peerIp = init.peerIp
    this.httpVersion = init.httpVersion
    this.bodyStream = init.body
    this.bodyLength = init.bodyLength
    this.bodyBuffer = undefined
    this.bodyPromise = undefined
    this.maxBodyBytes = init.maxBodyBytes
  }

  queryParam (name: string): string | undefined {
    return findQueryParam(this.query, name)
  }

  deleteQueryParam (name: string): void {
    this.query = withoutQueryParam(this.query, name)
  }

  /**
   * The whole body when it is known without reading: empty when the request has none, or the
   * buffer a plugin read. Undefined while it still has to be read (use `readBody`).
   */
  knownBody (): Buffer | undefined {
    if (this.bodyBuffer !== undefined) return this.bodyBuffer
    return this.bodyStream === null && this.bodyPromise === undefined ? NO_BODY : undefined
  }

  readBody (maxBytes: number = this.maxBodyBytes): Promise<Buffer> {
    if (this.bodyPromise !== undefined) return this.bodyPromise
    const stream = this.bodyStream
    this.bodyStream = null
    this.bodyPromise = readWholeBody(stream, this.bodyLength, maxBytes).then((buffer) => {
      this.bodyBuffer = buffer
      this.bodyLength = buffer.length
      return buffer
    })
    return this.bodyPromise
  }

  replaceBody (body: Buffer): void {
    // Either the body was read (a buffer), or there never was one: a stream or a pending read is misuse.
    const read = this.bodyBuffer !== undefined || (this.bodyStream === null && this.bodyPromise === undefined)
    if (!read) throw new Error('replaceBody() needs the body read with readBody() first')
    this.bodyStream = null
    this.bodyBuffer = body
    this.bodyLength = body.length
    this.bodyPromise = Promise.resolve(body)
    // Plugins after this one see the length that goes upstream (the transports frame from the buffer).
    if (this.headers.has('content-length')) this.headers.set('content-length', String(body.length))
  }

  limitBody (maxBytes: number): void {
    const stream = this.bodyStream
    if (stream === null) return
    this.bodyStream = limitBodyStream(stream, maxBytes, () => {
      this.bodyTooLarge = true
      this.owner?.bodyLimitExceeded()
    })
  }
}

/** The response as filters and log plugins see it. */
export class ResponseView implements GatewayResponse {
  status: number
  bytesSent = 0
  readonly generated: boolean
  /** Also set on a streamed response that failed after its head went out (the status stays). */
  errorCode: string | undefined
  private list: HeaderList | undefined
  private readonly flat: string[] | undefined

  /** `headers` is a list, or the flat form already sent (turned into a list only if someone asks). */
  constructor (status: number, headers: HeaderList | string[], generated: boolean, errorCode?: string) {
    this.status = status
    if (Array.isArray(headers)) {
      this.flat = headers
      this.list = undefined
    } else {
      this.flat = undefined
      this.list = headers
    }
    this.generated = generated
    this.errorCode = errorCode
  }

  get headers (): HeaderList {
    this.list ??= HeaderList.fromRaw(this.flat ?? [])
    return this.list
  }

  /** The headers in flat form: as given when nobody asked for the list (no copy), else the list's. */
  flatHeaders (): string[] {
    return this.list === undefined ? (this.flat ?? []) : this.list.toFlat()
  }
}

/** Per-request state: what plugins see (PluginContext) plus what the pipeline keeps for itself. */
export class RequestContext implements PluginContext, PickInput {
  readonly request: RequestView
  response: ResponseView | undefined = undefined
  routeId = ''
  serviceId = ''
  merchant: Merchant | undefined = undefined
  readonly slots: PluginSlots = {}
  readonly timings: RequestTimings
  upstream: UpstreamInfo | undefined = undefined
  readonly sink: ResponseSink
  /** The plugins this request runs: the route's chain, then the merchant's once identified. */
  chain: Chain
  /** performance.now() at arrival. */
  readonly startedAt: number
  /** Set when the client went away before the response ended. */
  clientAborted = false
  /** The Host header (or :authority) as received, port included; '' when absent. */
  rawHost = ''
  /** The upstream path decided by the router (strip_path applied) for the path it matched. */
  routedPath = ''
  matchedPath = ''
  /** The config snapshot this request runs on (released when it finishes). */
  snapshot: Snapshot | undefined = undefined
  /** The port of the Host header, or the listener's port when the Host has none. */
  hostPort = ''
  /** The upstream attempt in flight, so a client abort can stop it. */
  attempt: { abortByClient (): void } | undefined = undefined
  /** The failure kind when an upstream attempt failed after the head was sent. */
  upstreamError: string | undefined = undefined
  /** The error body that replaces a response whose header filter failed. */
  failedBody: string | undefined = undefined
  /** Set once the log phase ran, so it runs exactly once. */
  finished = false
  /** The W3C trace of this request; undefined when tracing is off. */
  trace: TraceContext | undefined = undefined
  /** Per-plugin timings (Server-Timing entries), only for a request with the debug header's token. */
  debugTimings: string[] | undefined = undefined
  private readonly baseLog: Logger
  private boundLog: Logger | undefined = undefined
  /** Answers 413 to a request whose capped body went past its cap (given by handle-request, which owns replies). */
  private readonly answerBodyTooLarge: ((ctx: RequestContext) => void) | undefined

  constructor (request: RequestView, sink: ResponseSink, log: Logger, chain: Chain, answerBodyTooLarge?: (ctx: RequestContext) => void) {
    this.request = request
    request.owner = this
    this.answerBodyTooLarge = answerBodyTooLarge
    this.sink = sink
    this.chain = chain
    this.baseLog = log
    this.startedAt = performance.now()
    this.timings = { startedAtEpochMs: Date.now(), gatewayMs: -1, upstreamMs: -1, totalMs: -1, phaseMs: { rewrite: -1, access: -1, content: -1 } }
  }

  /** A child logger bound to the request id, made on first use (most requests never log). */
  get log (): Logger {
    this.boundLog ??= this.baseLog.child({ request_id: this.request.id, route: this.routeId })
    return this.boundLog
  }

  identify (merchant: Merchant): void {
    this.merchant = merchant
    // From here on the merchant's plugin overlay applies (run-phase notices the new chain).
    if (this.snapshot !== undefined && this.routeId !== '') {
      this.chain = this.snapshot.chains.forMerchant(this.routeId, this.serviceId, merchant.id)
    }
  }

  /**
   * A body capped with `request.limitBody()` went past its cap. Before the proxy started there is
   * nothing to stop: the proxy step sees `request.bodyTooLarge` and answers 413 instead of calling
   * the upstream. During an attempt, the attempt is stopped as if the client had gone (the target
   * is not blamed for it) and 413 is answered; the connection closes after it, since the rest of
   * the body is not read.
   */
  bodyLimitExceeded (): void {
    if (this.finished) return
    this.sink.closeAfterResponse()
    const attempt = this.attempt
    if (attempt === undefined) return
    this.attempt = undefined
    attempt.abortByClient()
    this.answerBodyTooLarge?.(this)
  }

  /** The balancer's view of this request (the context itself: no allocation). */
  pickInput (): PickInput {
    return this
  }

  get merchantId (): string | undefined {
    return this.merchant?.id
  }

  get clientIp (): string {
    return this.request.clientIp
  }

  get path (): string {
    return this.request.path
  }

  header (name: string): string | undefined {
    return this.request.headers.get(name)
  }

  /** Milliseconds since arrival. */
  elapsedMs (): number {
    return performance.now() - this.startedAt
  }
}
