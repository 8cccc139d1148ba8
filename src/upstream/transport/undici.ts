// The reference UpstreamTransport on undici (one Pool per target), used for conformance against
// the own HTTP/1.1 client and later for HTTP/2 upstreams. Error kinds are mapped from undici's
// codes; where undici cannot behave like the own client, createUndiciTransport says so.
import { rootCertificates } from 'node:tls'
import { Pool, type Dispatcher } from 'undici'
import { errorCode, isConnectRefusal } from './connect-errors.js'
import {
  UpstreamFailure,
  type Target,
  type TransportOptions,
  type UpstreamCall,
  type UpstreamFailureKind,
  type UpstreamRequest,
  type UpstreamResponseHandler,
  type UpstreamTransport
} from './transport.js'

/**
 * Creates the undici-based transport. Differences from createH1Transport, all undici limits:
 * - `maxIdlePerTarget` is not enforced (undici keeps every connection it opened until
 *   `idleTimeoutMs`); connections per target are unlimited.
 * - No send timeout: a stalled request write is only caught by `readMs` on the response head.
 * - A `100 Continue` the request did not ask for fails the attempt (undici destroys the
 *   connection with "bad response", kind `reset`); an unrequested 101 is `reset` too, not `bad-response`.
 * - A Transfer-Encoding other than `chunked` is read as a close-delimited body, not refused.
 * - The stale keep-alive retry happens on any reset before the head for an idempotent request
 *   with a replayable body; undici does not tell whether the socket was a reused one.
 * - One Pool per target and `connectMs` value (undici's connect timeout is per pool).
 * - `expect`, `content-length` and `transfer-encoding` from the caller are dropped (undici sets
 *   the framing itself and refuses `expect`).
 */
export function createUndiciTransport (options: TransportOptions): UpstreamTransport {
  return new UndiciTransport(options)
}

class UndiciTransport implements UpstreamTransport {
  private readonly pools = new Map<string, Pool>()
  private closed = false

  constructor (private readonly options: TransportOptions) {}

  request (target: Target, request: UpstreamRequest, handler: UpstreamResponseHandler): UpstreamCall {
    const call = new UndiciCall(this, target, request, handler)
    if (this.closed) process.nextTick(() => { call.failWith('connect-refused', 'the transport is closed') })
    else call.dispatch()
    return call
  }

  async close (): Promise<void> {
    this.closed = true
    const pools = [...this.pools.values()]
    this.pools.clear()
    await Promise.all(pools.map(async (pool) => { await pool.close() }))
  }

  /** The pool of `target` for requests with `connectMs`. */
  pool (target: Target, connectMs: number): Pool {
    const key = `${target.id}|${connectMs}`
    let pool = this.pools.get(key)
    if (pool === undefined) {
      const o = this.options
      const https = o.protocol === 'https'
      const servername = o.tlsServername ?? target.hostName
      pool = new Pool(`${o.protocol}://${hostForUrl(target.host)}:${target.port}`, {
        keepAliveTimeout: o.idleTimeoutMs,
        keepAliveMaxTimeout: o.idleTimeoutMs,
        pipelining: 1,
        connect: {
          timeout: connectMs,
          ...(https
            ? {
                rejectUnauthorized: o.tlsVerify !== false,
                ...(servername !== undefined ? { servername } : {}),
                ...(o.tlsCa !== undefined ? { ca: [...rootCertificates, o.tlsCa] } : {}),
                ...(o.tlsCert !== undefined ? { cert: o.tlsCert, key: o.tlsKey } : {})
              }
            : {})
        }
      })
      this.pools.set(key, pool)
    }
    return pool
  }
}

function hostForUrl (host: string): string {
  return host.includes(':') ? `[${host}]` : host
}

/** Caller headers undici must not receive: it frames the body itself and refuses `expect`. */
const DROPPED = new Set(['content-length', 'transfer-encoding', 'expect'])

/** One attempt through undici; replays itself once after a reset before the head when allowed. */
class UndiciCall implements UpstreamCall, Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | null = null
  private finished = false
  private afterHead = false
  private retried = false

  constructor (
    private readonly transport: UndiciTransport,
    private readonly target: Target,
    private readonly request: UpstreamRequest,
    private readonly handler: UpstreamResponseHandler
  ) {}

  dispatch (): void {
    const r = this.request
    const headers: string[] = []
    for (let i = 0; i < r.headers.length; i += 2) {
      const name = r.headers[i] as string
      if (!DROPPED.has(name)) headers.push(name, r.headers[i + 1] as string)
    }
    if (r.body !== null && !Buffer.isBuffer(r.body) && r.bodyLength !== undefined) headers.push('content-length', String(r.bodyLength))
    try {
      this.transport.pool(this.target, r.timeouts.connectMs).dispatch({
        path: r.path,
        method: r.method as Dispatcher.HttpMethod,
        headers,
        body: r.body,
        headersTimeout: r.timeouts.readMs,
        bodyTimeout: r.timeouts.readMs,
        idempotent: r.idempotent,
        // undici closes after every HEAD by default (nodejs/undici#258); the own client keeps it.
        ...(r.method === 'HEAD' ? { reset: false } : {})
      }, this)
    } catch (err) {
      process.nextTick(() => { this.onResponseError(null, err as Error) })
    }
  }

  abort (): void {
    if (this.finished) return
    this.finished = true
    this.controller?.abort(new Error('aborted by the gateway'))
  }

  resume (): void {
    if (!this.finished) this.controller?.resume()
  }

  failWith (kind: UpstreamFailureKind, message: string, cause?: unknown): void {
    if (this.finished) return
    this.finished = true
    this.handler.onError(new UpstreamFailure(kind, message, this.afterHead, cause === undefined ? undefined : { cause }))
  }

  onRequestStart (controller: Dispatcher.DispatchController): void {
    this.controller = controller
    if (this.finished) controller.abort(new Error('aborted by the gateway'))
  }

  onResponseStart (_controller: Dispatcher.DispatchController, statusCode: number, headers: Record<string, string | string[] | undefined>): void {
    if (this.finished || statusCode < 200) return
    this.afterHead = true
    const flat: string[] = []
    for (const name of Object.keys(headers)) {
      const value = headers[name]
      if (Array.isArray(value)) for (const v of value) flat.push(name, v)
      else if (value !== undefined) flat.push(name, value)
    }
    this.handler.onHead(statusCode, flat)
  }

  onResponseData (controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.finished) return
    if (!this.handler.onData(chunk)) controller.pause()
  }

  onResponseEnd (): void {
    if (this.finished) return
    this.finished = true
    this.handler.onEnd()
  }

  onResponseError (_controller: Dispatcher.DispatchController | null, err: Error): void {
    if (this.finished) return
    const kind = failureKind(err)
    const body = this.request.body
    if (kind === 'reset' && !this.afterHead && !this.retried && this.request.idempotent && (body === null || Buffer.isBuffer(body))) {
      this.retried = true
      this.controller = null
      this.dispatch()
      return
    }
    this.failWith(kind, `upstream request failed: ${err.message}`, err)
  }
}

/** Maps an undici or socket error to a failure kind. */
function failureKind (err: Error): UpstreamFailureKind {
  const code = errorCode(err) ?? ''
  if (isConnectRefusal(code)) return 'connect-refused'
  // undici's HTTPParserError often has no code (its llhttp error table lookup misses).
  if (err.name === 'HTTPParserError' || code.startsWith('HPE_')) return 'bad-response'
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT': return 'connect-timeout'
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT': return 'read-timeout'
    case 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_ABORTED':
    case 'UND_ERR_ABORT': return 'aborted'
    case 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH':
    case 'UND_ERR_HEADERS_OVERFLOW': return 'bad-response'
    case 'UND_ERR_SOCKET':
    case 'ECONNRESET':
    case 'EPIPE': return 'reset'
  }
  if (code.startsWith('ERR_TLS') || code.startsWith('ERR_SSL') || code.includes('CERT') || code.includes('SELF_SIGNED')) return 'tls'
  return 'reset'
}
