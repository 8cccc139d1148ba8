// Tollgate's own HTTP/1.1 upstream client on node:net / node:tls (DESIGN.md §6, §11): pooled
// keep-alive connections per target, a strict response parser, one timer per connection.
import { connect as netConnect, isIP } from 'node:net'
import { connect as tlsConnect, createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { H1Connection } from './h1-connection.js'
import { H1Exchange } from './h1-exchange.js'
import { H1TargetPool, type PoolOwner } from './h1-pool.js'
import { checkRequest } from './h1-request-writer.js'
import type { Target, TransportOptions, UpstreamCall, UpstreamRequest, UpstreamResponseHandler, UpstreamTransport } from './transport.js'

/** Options of the HTTP/1.1 client: the common ones plus an optional connection cap. */
export interface H1TransportOptions extends TransportOptions {
  /**
   * Most open connections (connecting, busy or idle) per target; requests beyond it wait for a
   * free one, at most their `connectMs`, then fail with `connect-timeout`. Default: no limit.
   */
  readonly maxConnectionsPerTarget?: number
}

/**
 * Creates Tollgate's own HTTP/1.1 transport. Throws a RangeError for an invalid option.
 *
 * Behaviour beyond the UpstreamTransport contract:
 * - `request()` throws a TypeError for a request that would break the request line or a header
 *   (space in the path, CR/LF/NUL anywhere, bad method token); it never calls the handler
 *   synchronously.
 * - A streamed body that errors, closes early or gives more or fewer bytes than `bodyLength`
 *   fails the attempt with kind `aborted`; the stream is detached, not destroyed.
 * - `onData` returning false stops reading the socket; chunks already read are still delivered.
 * - A request made after `close()` fails with `connect-refused`.
 */
export function createH1Transport (options: H1TransportOptions): UpstreamTransport {
  return new H1Transport(options)
}

class H1Transport implements UpstreamTransport, PoolOwner {
  readonly maxIdlePerTarget: number
  readonly idleTimeoutMs: number
  readonly maxConnectionsPerTarget: number
  closed = false
  private readonly secure: boolean
  private readonly secureContext: SecureContext | undefined
  private readonly servername: string | undefined
  private readonly rejectUnauthorized: boolean
  private readonly pools = new Map<string, H1TargetPool>()
  private inFlight = 0
  private closeWaiters: Array<() => void> = []

  constructor (options: H1TransportOptions) {
    if (!Number.isInteger(options.maxIdlePerTarget) || options.maxIdlePerTarget < 0) {
      throw new RangeError('maxIdlePerTarget must be an integer >= 0')
    }
    if (!(options.idleTimeoutMs > 0)) throw new RangeError('idleTimeoutMs must be > 0')
    const max = options.maxConnectionsPerTarget
    if (max !== undefined && (!Number.isInteger(max) || max < 1)) {
      throw new RangeError('maxConnectionsPerTarget must be an integer >= 1')
    }
    this.maxIdlePerTarget = options.maxIdlePerTarget
    this.idleTimeoutMs = options.idleTimeoutMs
    this.maxConnectionsPerTarget = max ?? Infinity
    this.secure = options.protocol === 'https'
    this.servername = options.tlsServername
    this.rejectUnauthorized = options.tlsVerify !== false
    // `ca` replaces the default roots, so the extra CA is added to them, once per transport.
    this.secureContext = this.secure && (options.tlsCa !== undefined || options.tlsCert !== undefined)
      ? createSecureContext({
        ...(options.tlsCa === undefined ? {} : { ca: [...rootCertificates, options.tlsCa] }),
        ...(options.tlsCert === undefined ? {} : { cert: options.tlsCert, key: options.tlsKey })
      })
      : undefined
  }

  request (target: Target, request: UpstreamRequest, handler: UpstreamResponseHandler): UpstreamCall {
    checkRequest(request)
    let pool = this.pools.get(target.id)
    if (pool === undefined) {
      pool = new H1TargetPool(this, target)
      this.pools.set(target.id, pool)
    }
    const exchange = new H1Exchange(pool, request, handler)
    this.inFlight++
    if (this.closed) {
      process.nextTick(() => { exchange.fail('connect-refused', 'the transport is closed') })
    } else {
      pool.acquire(exchange)
    }
    return exchange
  }

  close (): Promise<void> {
    this.closed = true
    for (const pool of this.pools.values()) pool.closeIdle()
    if (this.inFlight === 0) return Promise.resolve()
    return new Promise((resolve) => { this.closeWaiters.push(resolve) })
  }

  connect (pool: H1TargetPool, exchange: H1Exchange): void {
    const { host, port } = pool.target
    if (!this.secure) {
      new H1Connection(pool, netConnect({ host, port, noDelay: true }), false, exchange)
      return
    }
    const socket = tlsConnect({
      host,
      port,
      servername: this.servername ?? pool.target.hostName ?? (isIP(host) === 0 ? host : undefined),
      rejectUnauthorized: this.rejectUnauthorized,
      secureContext: this.secureContext,
      session: pool.tlsSession,
      ALPNProtocols: ['http/1.1']
    })
    socket.setNoDelay(true)
    new H1Connection(pool, socket, true, exchange)
  }

  exchangeDone (): void {
    this.inFlight--
    if (this.inFlight === 0 && this.closed) {
      const waiters = this.closeWaiters
      this.closeWaiters = []
      for (const resolve of waiters) resolve()
    }
  }
}
