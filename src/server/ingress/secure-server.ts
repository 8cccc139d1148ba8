import http2, { type Http2ServerRequest, type Http2ServerResponse, type ServerHttp2Session } from 'node:http2'
import type { Socket } from 'node:net'
import tls, { type TLSSocket } from 'node:tls'
import type { ListenerConfig } from '../../config/gateway-config.js'
import type { TlsContexts } from '../tls-contexts.js'
import type { ListenerLimits, RequestHandler } from './listener-limits.js'
import { Http2Sink } from './node-sink.js'
import { fromHttp2 } from './node-request.js'

/** The HTTP/2 side of an HTTPS listener: a server that never listens itself, and its sessions. */
export class Http2Side {
  readonly server: http2.Http2SecureServer
  private readonly sessions = new Set<ServerHttp2Session>()

  constructor (config: ListenerConfig, limits: ListenerLimits, handler: RequestHandler) {
    this.server = http2.createSecureServer({ allowHTTP1: false, maxHeaderListPairs: limits.maxHeaderCount + 8, maxSessionMemory: 32, settings: { maxHeaderListSize: limits.maxHeaderBytes } }, (req: Http2ServerRequest, res: Http2ServerResponse) => {
      handler(fromHttp2(req, config.port), new Http2Sink(res))
    })
    this.server.on('session', (session) => {
      this.sessions.add(session)
      session.once('close', () => this.sessions.delete(session))
    })
    this.server.setTimeout(limits.keepAliveIdleMs + limits.requestMs)
  }

  /** Hands over a TLS connection whose client chose h2. */
  accept (socket: TLSSocket): void {
    this.server.emit('secureConnection', socket)
  }

  /** Asks every client to go away (GOAWAY) after its streams in flight. */
  closeGracefully (): void {
    for (const session of this.sessions) session.close()
  }

  closeAll (): void {
    for (const session of this.sessions) session.destroy()
  }
}

/**
 * The TLS server of an HTTPS listener: certificates by SNI, then by ALPN `h2` to the HTTP/2 side
 * and anything else (`http/1.1` or no ALPN) to `http1`, whichever ingress serves HTTP/1.1.
 */
export function createTlsServer (config: ListenerConfig, limits: ListenerLimits, tlsContexts: TlsContexts | undefined,
  h2: Http2Side | undefined, http1: (socket: TLSSocket) => void): tls.Server {
  if (tlsContexts === undefined) throw new Error(`listener ${config.name}: https needs certificates`)
  const server = tls.createServer({
    SNICallback: tlsContexts.sniCallback,
    ALPNProtocols: h2 !== undefined ? ['h2', 'http/1.1'] : ['http/1.1'],
    minVersion: 'TLSv1.2',
    handshakeTimeout: limits.headerReadMs
  })
  server.on('secureConnection', (socket: TLSSocket) => {
    if (socket.alpnProtocol === 'h2' && h2 !== undefined) {
      h2.accept(socket)
      return
    }
    // half_close: answer, as on plain HTTP: a client's close_notify or FIN leaves the socket
    // writable, so the requests it sent before are still answered (HTTP/2 sessions keep their own
    // handling).
    if (config.half_close === 'answer') socket.allowHalfOpen = true
    http1(socket)
  })
  server.on('tlsClientError', (_error: Error, socket: Socket) => { socket.destroy() })
  return server
}

/** Listens on the listener's address; resolves with the bound port. */
export function listenOn (server: { listen: (options: object, done: () => void) => unknown, once: (event: 'error', listener: (error: Error) => void) => unknown, off: (event: 'error', listener: (error: Error) => void) => unknown, address: () => unknown }, config: ListenerConfig): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen({ port: config.port, host: config.host, backlog: 2048 }, () => {
      server.off('error', reject)
      const address = server.address() as { port?: number } | null
      resolve(typeof address === 'object' && address !== null && address.port !== undefined ? address.port : config.port)
    })
  })
}
