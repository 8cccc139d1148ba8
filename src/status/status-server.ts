import { randomUUID } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { ERRORS, errorBody, type ErrorCode } from '../errors.js'
import type { Logger } from '../kit/logger.js'
import { isLoopback } from './loopback.js'
import { presentedToken, tokenMatches } from './token.js'

/** A request to a status endpoint. */
export interface StatusRequest {
  readonly method: string
  readonly path: string
  readonly query: URLSearchParams
  /** A fresh id per request, in error bodies and for logs. */
  readonly id: string
  readonly raw: IncomingMessage
}

/** What a status handler answers: an object or array is sent as JSON, a string or Buffer as is. */
export interface StatusReply {
  readonly status?: number
  readonly headers?: Readonly<Record<string, string>>
  readonly body: unknown
}

export type StatusHandler = (request: StatusRequest) => StatusReply | Promise<StatusReply>

export interface RouteOptions {
  /** Require the status token even on a loopback listener. Always true under /debug/. */
  readonly token?: boolean
}

export interface StatusListenerSettings {
  readonly host: string
  readonly port: number
  readonly token?: string | undefined
}

interface Route {
  readonly handler: StatusHandler
  readonly token: boolean
}

/**
 * The status listener: a small HTTP server in the primary for health, status, metrics and debug
 * endpoints. Other modules add endpoints with `route()` (one line in primary.ts). A token is
 * required on every endpoint when the listener binds a non-loopback address, and on routes
 * registered with `{ token: true }` or under `/debug/` always; with no token configured those
 * are refused.
 */
export class StatusServer {
  private readonly routes = new Map<string, Map<string, Route>>()
  private server: Server | undefined
  private settings: StatusListenerSettings
  private readonly log: Logger

  constructor (settings: StatusListenerSettings, log: Logger) {
    this.settings = settings
    this.log = log
  }

  /** Adds an endpoint; throws when `method path` is taken (misuse by code). */
  route (method: string, path: string, handler: StatusHandler, options: RouteOptions = {}): this {
    if (!path.startsWith('/')) throw new Error(`status route ${path}: the path must start with '/'`)
    let byMethod = this.routes.get(path)
    if (byMethod === undefined) this.routes.set(path, (byMethod = new Map()))
    const upper = method.toUpperCase()
    if (byMethod.has(upper)) throw new Error(`status route ${upper} ${path} is registered twice`)
    byMethod.set(upper, { handler, token: options.token === true || path.startsWith('/debug/') })
    return this
  }

  /** A reload may change the token; host and port changes need a restart (logged by the caller). */
  updateToken (token: string | undefined): void {
    this.settings = { ...this.settings, token }
  }

  /** Binds the listener. @returns the bound port */
  async listen (): Promise<number> {
    const server = createServer((req, res) => { void this.dispatch(req, res) })
    server.keepAliveTimeout = 5000
    server.headersTimeout = 10_000
    server.requestTimeout = 0 // a profile may take a while to answer
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.settings.port, this.settings.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    return (server.address() as AddressInfo).port
  }

  async close (): Promise<void> {
    const server = this.server
    if (server === undefined) return
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }

  private async dispatch (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const id = randomUUID()
    let url: URL
    try {
      url = new URL(req.url ?? '/', 'http://status')
    } catch {
      return this.fail(res, id, 'TG_STATUS_BAD_REQUEST')
    }
    const byMethod = this.routes.get(url.pathname)
    if (byMethod === undefined) return this.fail(res, id, 'TG_STATUS_NOT_FOUND')
    const method = req.method ?? 'GET'
    const route = byMethod.get(method) ?? (method === 'HEAD' ? byMethod.get('GET') : undefined)
    if (route === undefined) {
      res.setHeader('allow', [...byMethod.keys()].join(', '))
      return this.fail(res, id, 'TG_STATUS_METHOD_NOT_ALLOWED')
    }
    const token = this.settings.token
    if (route.token || !isLoopback(this.settings.host)) {
      if (token === undefined) return this.fail(res, id, 'TG_STATUS_TOKEN_NOT_CONFIGURED')
      if (!tokenMatches(presentedToken(req.headers), token)) {
        res.setHeader('www-authenticate', 'Bearer realm="tollgate-status"')
        return this.fail(res, id, 'TG_STATUS_TOKEN_REQUIRED')
      }
    }
    let reply: StatusReply
    try {
      reply = await route.handler({ method, path: url.pathname, query: url.searchParams, id, raw: req })
    } catch (error) {
      this.log.error({ err: error, path: url.pathname, request_id: id }, 'status endpoint failed')
      return this.fail(res, id, 'TG_STATUS_FAILED', (error as Error).message)
    }
    this.send(res, method, reply)
  }

  private send (res: ServerResponse, method: string, reply: StatusReply): void {
    const body = reply.body
    const json = !(typeof body === 'string' || Buffer.isBuffer(body))
    const bytes = json ? Buffer.from(JSON.stringify(body, null, 2) + '\n') : Buffer.from(body as string | Buffer)
    res.statusCode = reply.status ?? 200
    if (json) res.setHeader('content-type', 'application/json')
    res.setHeader('cache-control', 'no-store')
    for (const name in reply.headers) res.setHeader(name, reply.headers[name] as string)
    res.setHeader('content-length', bytes.length)
    res.end(method === 'HEAD' ? undefined : bytes)
  }

  private fail (res: ServerResponse, id: string, code: ErrorCode, message?: string): void {
    const body = errorBody(code, id, message)
    res.statusCode = ERRORS[code].status
    res.setHeader('content-type', 'application/json')
    res.setHeader('content-length', Buffer.byteLength(body))
    res.end(body)
  }
}
