import http, { type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** What a test upstream saw of one request. */
export interface SeenRequest {
  method: string
  url: string
  headers: http.IncomingHttpHeaders
  rawHeaders: string[]
  body: Buffer
  remotePort: number
}

/** A real HTTP upstream on 127.0.0.1 for integration tests; records requests and connections. */
export class UpstreamServer {
  readonly seen: SeenRequest[] = []
  connections = 0
  private readonly server: http.Server
  private handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void

  constructor (handler?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void) {
    this.handler = handler ?? ((req, res, body) => {
      const answer = JSON.stringify({ method: req.method, url: req.url, bytes: body.length })
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) })
      res.end(answer)
    })
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = []
      req.on('data', (chunk: Buffer) => chunks.push(chunk))
      req.on('end', () => {
        const body = Buffer.concat(chunks)
        this.seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body, remotePort: req.socket.remotePort ?? 0 })
        this.handler(req, res, body)
      })
    })
    this.server.on('connection', () => { this.connections++ })
    this.server.keepAliveTimeout = 30_000
  }

  setHandler (handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): void {
    this.handler = handler
  }

  /** Listens on `host` (default 127.0.0.1) and `port` (default a free one); resolves with the port. */
  async listen (port = 0, host = '127.0.0.1'): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(port, host, resolve))
    return (this.server.address() as AddressInfo).port
  }

  get port (): number {
    return (this.server.address() as AddressInfo).port
  }

  close (): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}
