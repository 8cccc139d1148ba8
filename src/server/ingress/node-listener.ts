import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import http2, { type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2'
import type { Server as NetServer, Socket } from 'node:net'
import tls, { type TLSSocket } from 'node:tls'
import type { ListenerConfig } from '../../config/gateway-config.js'
import type { TlsContexts } from '../tls-contexts.js'
import { answerClientError } from './client-error.js'
import type { IngressRequest, ResponseSink } from './ingress.js'
import { Http1Sink, Http2Sink } from './node-sink.js'
import { fromHttp1, fromHttp2 } from './node-request.js'

/** Client-side limits and timeouts a listener enforces. */
export interface ListenerLimits {
  readonly maxHeaderBytes: number
  readonly maxHeaderCount: number
  readonly headerReadMs: number
  readonly keepAliveIdleMs: number
  readonly requestMs: number
}

export type RequestHandler = (request: IngressRequest, sink: ResponseSink) => void

/** How often node:http checks header-read and request timeouts (its default is 30 s). */
const TIMEOUT_CHECK_INTERVAL_MS = 500

/**
 * The `node` ingress for one listener: node:http for plain HTTP; for HTTPS one TLS server whose
 * connections go, by ALPN, to an HTTP/2 server or an HTTP/1.1 server that never listen themselves.
 * Both get the same limits, so HTTP/1.1 over TLS behaves exactly like plain HTTP/1.1.
 */
export class NodeListener {
  readonly server: NetServer
  private readonly http1: http.Server
  private readonly http2: http2.Http2SecureServer | undefined
  private readonly sessions = new Set<ServerHttp2Session>()
  private readonly config: ListenerConfig

  constructor (config: ListenerConfig, limits: ListenerLimits, handler: RequestHandler, tlsContexts: TlsContexts | undefined) {
    this.config = config
    const secure = config.protocol === 'https'
    const localPort = (): number => config.port
    this.http1 = http.createServer({
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headerReadMs,
      requestTimeout: Math.max(limits.requestMs, limits.headerReadMs),
      keepAliveTimeout: limits.keepAliveIdleMs,
      connectionsCheckingInterval: TIMEOUT_CHECK_INTERVAL_MS,
      noDelay: true,
      // The pipeline checks Host itself, after the header-count check: node:http's check would run
      // on the truncated list and answer a header flood with 400 instead of 431.
      requireHostHeader: false
    }, (req: IncomingMessage, res: ServerResponse) => {
      handler(fromHttp1(req, (req.socket.localPort ?? localPort()), secure), new Http1Sink(res))
    })
    // Truncating at maxHeadersCount would silently drop fields; one more than the limit lets the
    // pipeline see the flood and answer 431.
    this.http1.maxHeadersCount = limits.maxHeaderCount + 1
    this.http1.on('clientError', answerClientError)
    if (!secure) {
      this.server = this.http1
      this.http2 = undefined
      return
    }
    if (tlsContexts === undefined) throw new Error(`listener ${config.name}: https needs certificates`)
    this.http2 = config.http2
      ? http2.createSecureServer({ allowHTTP1: false, maxHeaderListPairs: limits.maxHeaderCount + 8, maxSessionMemory: 32, settings: { maxHeaderListSize: limits.maxHeaderBytes } }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
        handler(fromHttp2(req, localPort()), new Http2Sink(res))
      })
      : undefined
    this.http2?.on('session', (session) => {
      this.sessions.add(session)
      session.once('close', () => this.sessions.delete(session))
    })
    this.http2?.setTimeout(limits.keepAliveIdleMs + limits.requestMs)
    const tlsServer = tls.createServer({
      SNICallback: tlsContexts.sniCallback,
      ALPNProtocols: config.http2 ? ['h2', 'http/1.1'] : ['http/1.1'],
      minVersion: 'TLSv1.2',
      handshakeTimeout: limits.headerReadMs
    })
    tlsServer.on('secureConnection', (socket: TLSSocket) => {
      if (socket.alpnProtocol === 'h2' && this.http2 !== undefined) this.http2.emit('secureConnection', socket)
      else this.http1.emit('connection', socket)
    })
    tlsServer.on('tlsClientError', (_error: Error, socket: Socket) => { socket.destroy() })
    this.server = tlsServer
  }

  /** Starts listening; resolves with the bound port. */
  listen (): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen({ port: this.config.port, host: this.config.host, backlog: 2048 }, () => {
        this.server.off('error', reject)
        if (this.server !== this.http1) {
          // The inner HTTP/1.1 server never listens; its timeout checks start on 'listening'.
          this.http1.emit('listening')
        }
        const address = this.server.address()
        resolve(typeof address === 'object' && address !== null ? address.port : this.config.port)
      })
    })
  }

  /** Stops accepting, closes idle keep-alive connections and asks HTTP/2 clients to go away. */
  stopAccepting (): void {
    this.server.close()
    this.http1.closeIdleConnections()
    for (const session of this.sessions) session.close()
  }

  /** Closes idle connections again (connections that became idle since the drain started). */
  closeIdle (): void {
    this.http1.closeIdleConnections()
  }

  /** Drops every remaining connection (the drain timeout passed). */
  closeAll (): void {
    this.http1.closeAllConnections()
    for (const session of this.sessions) session.destroy()
  }
}
