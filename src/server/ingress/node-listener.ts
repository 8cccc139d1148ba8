import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { Server as NetServer } from 'node:net'
import type { ListenerConfig } from '../../config/gateway-config.js'
import type { TlsContexts } from '../tls-contexts.js'
import { answerClientError, noteLatestResponse } from './client-error.js'
import { isHandlingStopped } from './closing-connections.js'
import type { IngressListener, ListenerLimits, RequestHandler } from './listener-limits.js'
import { Http1Sink } from './node-sink.js'
import { fromHttp1 } from './node-request.js'
import { Http2Side, createTlsServer, listenOn } from './secure-server.js'

export type { ListenerLimits, RequestHandler } from './listener-limits.js'

/** How often node:http checks header-read and request timeouts (its default is 30 s). */
export const TIMEOUT_CHECK_INTERVAL_MS = 500

/**
 * The `node` ingress for one listener: node:http for plain HTTP; for HTTPS one TLS server whose
 * connections go, by ALPN, to an HTTP/2 server or an HTTP/1.1 server that never listen themselves.
 * Both get the same limits, so HTTP/1.1 over TLS behaves exactly like plain HTTP/1.1.
 */
export class NodeListener implements IngressListener {
  readonly server: NetServer
  private readonly http1: http.Server
  private readonly http2: Http2Side | undefined
  private readonly config: ListenerConfig

  constructor (config: ListenerConfig, limits: ListenerLimits, handler: RequestHandler, tlsContexts: TlsContexts | undefined) {
    this.config = config
    const secure = config.protocol === 'https'
    const onRequest = (req: IncomingMessage, res: ServerResponse): void => {
      // Left unanswered: the connection closes after the response that stopped it.
      if (isHandlingStopped(req.socket)) return
      noteLatestResponse(req.socket, res)
      handler(fromHttp1(req, (req.socket.localPort ?? config.port), secure), new Http1Sink(res))
    }
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
    }, onRequest)
    // Expect: 100-continue is answered when the gateway starts reading the body, i.e. once the
    // route's checks passed; a request refused before that gets no 100 (and the connection closes).
    this.http1.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
      continueOnFirstRead(req, res)
      onRequest(req, res)
    })
    // By default node:http ends the connection on the client's FIN, and the answers still owed are
    // given up (half_close: abort). For half_close: answer, this undocumented property (read by socketOnEnd in Node 20's _http_server.js) it
    // marks the last response owed as the connection's last instead (node-sink.ts makes it say
    // `connection: close`), or ends at once when none is owed. A request the FIN cut short comes
    // as a clientError, which answerClientError leaves unanswered.
    if (config.half_close === 'answer') Object.assign(this.http1, { httpAllowHalfOpen: true })
    // Truncating at maxHeadersCount would silently drop fields; one more than the limit lets the
    // pipeline see the flood and answer 431.
    this.http1.maxHeadersCount = limits.maxHeaderCount + 1
    this.http1.on('clientError', answerClientError)
    if (!secure) {
      this.server = this.http1
      this.http2 = undefined
      return
    }
    this.http2 = config.http2 ? new Http2Side(config, limits, handler) : undefined
    this.server = createTlsServer(config, limits, tlsContexts, this.http2, (socket) => { this.http1.emit('connection', socket) })
  }

  async listen (): Promise<number> {
    const port = await listenOn(this.server, this.config)
    // The inner HTTP/1.1 server never listens; its timeout checks start on 'listening'.
    if (this.server !== this.http1) this.http1.emit('listening')
    return port
  }

  stopAccepting (): void {
    this.server.close()
    this.http1.closeIdleConnections()
    this.http2?.closeGracefully()
  }

  closeIdle (): void {
    this.http1.closeIdleConnections()
  }

  closeAll (): void {
    this.http1.closeAllConnections()
    this.http2?.closeAll()
  }
}

/** Sends `100 Continue` before the first read of the body (node:http would send it at once). */
function continueOnFirstRead (req: IncomingMessage, res: ServerResponse): void {
  const readable = req as IncomingMessage & { _read: (size: number) => void }
  const read = readable._read
  readable._read = function (this: IncomingMessage, size: number): void {
    readable._read = read
    if (!res.headersSent) res.writeContinue()
    read.call(this, size)
  }
}
