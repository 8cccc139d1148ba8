import { createServer as createTcpServer, type Server, type Socket } from 'node:net'
import { createServer as createTlsServer, type TlsOptions } from 'node:tls'
import { FrameDecoder } from './frame-decoder.js'
import { encodeFrame, type Frame } from './frame.js'
import { FrameWriter } from './frame-writer.js'
import { TgRpcProtocolError } from './errors.js'
import type { HeaderEntries } from './header-map.js'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_HEADER_BYTES, FrameType, HEALTH_CHECK, HeaderKey } from './protocol.js'
import { TgRpcStatus } from './status.js'
import { RunningCall, ServerCall } from './server-call.js'

/** What a handler sees of one call. */
export interface TgRpcServerCall {
  readonly service: string
  readonly method: string
  readonly headers: ReadonlyMap<string, string>
  /** The request body: the caller's bytes, unchanged. Valid until the handler's promise settles. */
  readonly body: Buffer
  /** Milliseconds the caller said it would wait, or undefined. */
  readonly deadlineMs: number | undefined
  /** Aborted when the caller cancels, the deadline passes or the connection drops. */
  readonly signal: AbortSignal
}

/** A handler's answer; status defaults to OK. */
export interface TgRpcResult {
  readonly status?: number
  /** Error text for a non-OK status (sent as the `message` header). */
  readonly message?: string
  readonly headers?: HeaderEntries
  readonly body?: Buffer | string
}

export type TgRpcHandler = (call: TgRpcServerCall) => TgRpcResult | Promise<TgRpcResult>

export interface TgRpcServerOptions {
  /** Calls in flight per connection; more are answered RESOURCE_EXHAUSTED. Default 1024. */
  readonly maxConcurrent?: number
  /** Largest request body; a bigger frame closes the connection. Default 16 MiB. */
  readonly maxBodyBytes?: number
  /**
   * Serve TLS with these node:tls options (`key`, `cert`; `ca` with `requestCert` and
   * `rejectUnauthorized` to require client certificates). Default: plain TCP.
   */
  readonly tls?: TlsOptions
}

/**
 * A TG-RPC server for backends written in TypeScript: register handlers by service and method,
 * listen, and close gracefully (GOAWAY, then in-flight calls finish). Handlers get raw bytes;
 * see `jsonHandler` for the parsed-JSON style. The health method (`tgrpc.health/check`,
 * docs/tgrpc.md §9) is answered out of the box from `setServing`; a handler registered for it
 * replaces that answer.
 */
export class TgRpcServer {
  private readonly handlers = new Map<string, TgRpcHandler>()
  private readonly sessions = new Set<ServerSession>()
  private readonly server: Server
  private readonly maxConcurrent: number
  private readonly maxBodyBytes: number
  /** Services with a registered handler: those the health method knows. */
  private readonly services = new Set<string>()
  private serving = true
  private readonly servingByService = new Map<string, boolean>()

  constructor (options: TgRpcServerOptions = {}) {
    this.maxConcurrent = options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES
    const accept = (socket: Socket): void => this.accept(socket)
    this.server = options.tls === undefined ? createTcpServer({ noDelay: true }, accept) : createTlsServer({ noDelay: true, ...options.tls }, accept)
    this.handlers.set(`${HEALTH_CHECK.service}/${HEALTH_CHECK.method}`, (call) => this.health(call.headers.get(HeaderKey.HEALTH_SERVICE) ?? ''))
  }

  /** Registers the handler of `service`/`method`; calls to unregistered methods get UNIMPLEMENTED. */
  handle (service: string, method: string, handler: TgRpcHandler): this {
    this.handlers.set(`${service}/${method}`, handler)
    this.services.add(service)
    return this
  }

  /**
   * Sets what the health method answers: without `service`, for the whole server (a server not
   * serving is not serving any service); with it, for that one service (which the health method
   * then knows even without handlers). Every server starts serving.
   */
  setServing (serving: boolean, service?: string): this {
    if (service === undefined || service === '') this.serving = serving
    else this.servingByService.set(service, serving)
    return this
  }

  /** Listens on `host:port` (port 0 picks a free one); resolves with the bound port. */
  listen (port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject)
      this.server.listen(port, host, () => resolve((this.server.address() as { port: number }).port))
    })
  }

  /** Stops accepting, sends GOAWAY, waits up to `graceMs` for calls in flight, then closes. */
  async close (graceMs = 5000): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()))
    await Promise.all([...this.sessions].map((session) => session.drain(graceMs)))
    await closed
  }

  /** Open connections (for tests and status). */
  get connections (): number {
    return this.sessions.size
  }

  /** The health method's answer for `service` ('' for the whole server). */
  private health (service: string): TgRpcResult {
    const own = service === '' ? true : this.servingByService.get(service)
    if (own === undefined && !this.services.has(service)) return { status: TgRpcStatus.NOT_FOUND, message: `no service '${service}' on this server` }
    return this.serving && own !== false ? {} : { status: TgRpcStatus.UNAVAILABLE, message: 'not serving' }
  }

  private accept (socket: Socket): void {
    const session = new ServerSession(socket, this.handlers, this.maxConcurrent, this.maxBodyBytes)
    this.sessions.add(session)
    socket.on('close', () => this.sessions.delete(session))
  }
}

/** One accepted connection. */
class ServerSession {
  private readonly writer: FrameWriter
  private readonly decoder: FrameDecoder
  /** Calls whose handler answers later, by request id; an entry lets go of its call when it leaves (see RunningCall). */
  private readonly running = new Map<number, RunningCall>()
  private lastAccepted = 0
  private goingAway = false
  private drained: (() => void) | undefined

  constructor (
    private readonly socket: Socket,
    private readonly handlers: ReadonlyMap<string, TgRpcHandler>,
    private readonly maxConcurrent: number,
    maxBodyBytes: number
  ) {
    this.writer = new FrameWriter(socket)
    this.decoder = new FrameDecoder({ maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxBodyBytes })
    this.writer.write(encodeFrame(FrameType.SETTINGS, 0, 0, [
      [HeaderKey.MAX_CONCURRENT, String(maxConcurrent)],
      [HeaderKey.MAX_BODY_BYTES, String(maxBodyBytes)],
      [HeaderKey.MAX_HEADER_BYTES, String(DEFAULT_MAX_HEADER_BYTES)]
    ], undefined))
    socket.on('data', (chunk: Buffer) => {
      try {
        this.decoder.push(chunk, this.onFrame)
      } catch (error) {
        // A peer that breaks framing gets no more answers: the stream cannot be resynchronised.
        if (error instanceof TgRpcProtocolError) socket.destroy()
        else throw error
      }
    })
    socket.on('error', () => {})
    socket.on('close', () => {
      for (const entry of this.running.values()) entry.release()?.abort()
      this.running.clear()
      this.drained?.()
    })
  }

  drain (graceMs: number): Promise<void> {
    this.goingAway = true
    this.writer.write(encodeFrame(FrameType.GOAWAY, 0, this.lastAccepted, [], undefined))
    if (this.running.size === 0) {
      this.socket.end()
      return Promise.resolve()
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => { this.socket.destroy(); resolve() }, graceMs)
      this.drained = () => { clearTimeout(timer); resolve() }
    })
  }

  private readonly onFrame = (frame: Frame): void => {
    switch (frame.type) {
      case FrameType.REQUEST: return this.onRequest(frame)
      case FrameType.CANCEL: return this.onCancel(frame.requestId)
      case FrameType.PING: return this.writer.write(encodeFrame(FrameType.PONG, 0, frame.requestId, [], frame.body))
      case FrameType.PONG: return
      default: this.socket.destroy()
    }
  }

  private onRequest (frame: Frame): void {
    const id = frame.requestId
    if (this.goingAway) return this.reply(id, { status: TgRpcStatus.UNAVAILABLE, message: 'the server is shutting down' })
    if (this.running.has(id)) return this.reply(id, { status: TgRpcStatus.INVALID_ARGUMENT, message: 'a call with this request id is already running' })
    if (this.running.size >= this.maxConcurrent) return this.reply(id, { status: TgRpcStatus.RESOURCE_EXHAUSTED, message: 'too many calls in flight on this connection' })
    const service = frame.headers.get(HeaderKey.SERVICE) ?? ''
    const method = frame.headers.get(HeaderKey.METHOD) ?? ''
    const handler = this.handlers.get(`${service}/${method}`)
    if (handler === undefined) return this.reply(id, { status: TgRpcStatus.UNIMPLEMENTED, message: `no method ${service}/${method}` })
    this.lastAccepted = Math.max(this.lastAccepted, id)
    const deadlineText = frame.headers.get(HeaderKey.DEADLINE_MS)
    // The body is copied (when there is one) so a call kept past this tick does not pin the whole
    // received chunk.
    const body = frame.body.length === 0 ? EMPTY_BODY : Buffer.from(frame.body)
    const call = new ServerCall(service, method, frame.headers, body, deadlineText === undefined ? undefined : Number(deadlineText))
    let result: TgRpcResult | Promise<TgRpcResult>
    try {
      result = handler(call)
    } catch (error) {
      result = failed(error)
    }
    // A synchronous answer leaves at once: no frame can arrive meanwhile to cancel it.
    if (!(result instanceof Promise)) return this.reply(id, result)
    const entry = new RunningCall(call)
    this.running.set(id, entry)
    call.startDeadline()
    result.then((outcome) => this.finish(id, entry, call, outcome), (error: unknown) => this.finish(id, entry, call, failed(error)))
  }

  private finish (id: number, entry: RunningCall, call: ServerCall, outcome: TgRpcResult): void {
    call.stopDeadline()
    if (this.running.get(id) !== entry) return // Cancelled: the caller is gone.
    this.running.delete(id)
    entry.release()
    this.reply(id, call.isAborted ? { status: TgRpcStatus.DEADLINE_EXCEEDED, message: 'the call passed its deadline' } : outcome)
    if (this.goingAway && this.running.size === 0) this.socket.end()
  }

  private onCancel (id: number): void {
    const entry = this.running.get(id)
    if (entry === undefined) return
    this.running.delete(id)
    entry.release()?.abort()
    if (this.goingAway && this.running.size === 0) this.socket.end()
  }

  private reply (id: number, result: TgRpcResult): void {
    const headers = result.message === undefined
      ? result.headers ?? NO_HEADERS
      : [...(result.headers ?? NO_HEADERS), [HeaderKey.MESSAGE, result.message] as const]
    const body = typeof result.body === 'string' ? Buffer.from(result.body) : result.body
    this.writer.write(encodeFrame(FrameType.RESPONSE, result.status ?? TgRpcStatus.OK, id, headers, body))
  }
}

const EMPTY_BODY = Buffer.alloc(0)
const NO_HEADERS: HeaderEntries = []

function failed (error: unknown): TgRpcResult {
  return { status: TgRpcStatus.INTERNAL, message: error instanceof Error ? error.message : String(error) }
}
