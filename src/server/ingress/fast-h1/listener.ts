import net, { type Server, type Socket } from 'node:net'
import type { ListenerConfig } from '../../../config/gateway-config.js'
import type { TlsContexts } from '../../tls-contexts.js'
import type { IngressListener, ListenerLimits, RequestHandler } from '../listener-limits.js'
import { TIMEOUT_CHECK_INTERVAL_MS } from '../node-listener.js'
import { Http2Side, createTlsServer, listenOn } from '../secure-server.js'
import { H1Connection, type ConnectionSettings } from './connection.js'
import { keepAliveFields } from './head-text.js'
import type { ParserBinding } from './llhttp-binding.js'
import { ParserPool } from './parser-pool.js'

/**
 * The `fast-h1` ingress for one listener (DESIGN.md §11): HTTP/1.x on node:net (or node:tls, where
 * ALPN `h2` still goes to the node ingress's HTTP/2 server) parsed by Node's own llhttp in strict
 * mode. Limits, timeouts and drain behave as the `node` ingress's: header-read and request
 * timeouts and the keep-alive idle time are checked by one sweep every 500 ms, as node:http does.
 */
export class FastH1Listener implements IngressListener {
  readonly server: Server
  private readonly config: ListenerConfig
  private readonly limits: ListenerLimits
  private readonly settings: ConnectionSettings
  private readonly connections = new Set<H1Connection>()
  private readonly http2: Http2Side | undefined
  private sweepTimer: NodeJS.Timeout | undefined

  constructor (config: ListenerConfig, limits: ListenerLimits, handler: RequestHandler, tlsContexts: TlsContexts | undefined, binding: ParserBinding) {
    this.config = config
    this.limits = limits
    const secure = config.protocol === 'https'
    this.settings = {
      binding,
      parsers: new ParserPool(binding, limits.maxHeaderBytes),
      handler,
      secure,
      localPort: config.port,
      keepAliveFields: keepAliveFields(limits.keepAliveIdleMs),
      answerHalfClosed: config.half_close === 'answer'
    }
    const accept = this.accept.bind(this)
    if (!secure) {
      this.http2 = undefined
      // A client's FIN leaves the socket writable: H1Connection's onEnd decides what it means.
      this.server = net.createServer({ allowHalfOpen: true, noDelay: true }, accept)
      return
    }
    this.http2 = config.http2 ? new Http2Side(config, limits, handler) : undefined
    this.server = createTlsServer(config, limits, tlsContexts, this.http2, accept)
  }

  async listen (): Promise<number> {
    const port = await listenOn(this.server, this.config)
    this.sweepTimer = setInterval(() => { this.sweep() }, TIMEOUT_CHECK_INTERVAL_MS).unref()
    this.server.once('close', () => { clearInterval(this.sweepTimer) })
    return port
  }

  stopAccepting (): void {
    this.server.close()
    this.closeIdle()
    this.http2?.closeGracefully()
  }

  closeIdle (): void {
    for (const connection of this.connections) if (connection.isIdle) connection.socket.destroy()
  }

  closeAll (): void {
    for (const connection of this.connections) connection.socket.destroy()
    this.http2?.closeAll()
  }

  private accept (socket: Socket): void {
    socket.setNoDelay(true)
    const connection = new H1Connection(socket, this.settings)
    this.connections.add(connection)
    socket.once('close', () => { this.connections.delete(connection) })
  }

  /** Header-read and request timeouts answer 408; an idle keep-alive connection is closed. */
  private sweep (): void {
    const now = Date.now()
    const { headerReadMs, keepAliveIdleMs } = this.limits
    const requestMs = Math.max(this.limits.requestMs, headerReadMs)
    for (const connection of this.connections) {
      if (connection.receiving) {
        const age = now - connection.messageStartMs
        if ((!connection.headersDone && age > headerReadMs) || age > requestMs) connection.timeOut()
      } else if (connection.isIdle && now - connection.idleSinceMs > keepAliveIdleMs) {
        connection.socket.destroy()
      }
    }
  }
}
