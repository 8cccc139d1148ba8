import { connect as connectTcp, isIP, type Socket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { connect as connectTls, type ConnectionOptions as TlsConnectionOptions } from 'node:tls'
import { FrameDecoder } from './frame-decoder.js'
import { encodeFrame, type Frame } from './frame.js'
import { FrameWriter } from './frame-writer.js'
import { TgRpcCallError, TgRpcProtocolError } from './errors.js'
import type { HeaderEntries } from './header-map.js'
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CONCURRENT, DEFAULT_MAX_HEADER_BYTES, FrameType, HeaderKey, MAX_REQUEST_ID } from './protocol.js'
import { TgRpcStatus } from './status.js'

/** One call: service and method, extra header entries, the body bytes, and how long to wait. */
export interface TgRpcCall {
  readonly service: string
  readonly method: string
  readonly headers?: HeaderEntries
  readonly body: Buffer
  /** Deadline from now, ms; sent as `deadline-ms` and enforced here. */
  readonly timeoutMs: number
}

/** The server's answer. `status` 0 is OK; other statuses are answers too (not call errors). */
export interface TgRpcReply {
  readonly status: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: Buffer
}

/** Called exactly once per call: with a reply, or with the error that ended the call. */
export type TgRpcCallback = (error: TgRpcCallError | undefined, reply: TgRpcReply | undefined) => void

export interface TgRpcConnectionOptions {
  readonly host: string
  readonly port: number
  /** TLS options; undefined for plain TCP. */
  readonly tls?: Omit<TlsConnectionOptions, 'host' | 'port'>
  readonly connectTimeoutMs: number
  /** Idle time before a PING is sent; the connection is declared dead after twice this with no bytes. */
  readonly heartbeatMs: number
  /** Largest response body accepted. */
  readonly maxBodyBytes: number
}

/**
 * A call awaiting its answer. The callback is handed out once and then dropped: a Map's removed
 * entry can stay referenced from the Map's old storage until the next full collection, and a
 * callback left there kept each finished request alive through young-generation collections
 * (measured under load: a fifth of the worker's time went to GC, against a few percent without).
 */
class PendingCall {
  private callback: TgRpcCallback | undefined

  constructor (callback: TgRpcCallback, readonly deadlineAt: number) {
    this.callback = callback
  }

  /** Ends the call: calls the callback (once) and drops it. */
  end (error: TgRpcCallError | undefined, reply: TgRpcReply | undefined): void {
    const callback = this.callback
    this.callback = undefined
    callback?.(error, reply)
  }
}

export type ConnectionState = 'connecting' | 'ready' | 'draining' | 'closed'

/**
 * One TG-RPC connection to one server: many calls in flight at once, matched to responses by
 * request id. Deadlines are enforced here (a CANCEL tells the server), a silent peer is detected
 * by heartbeats, and every call ends exactly once, whatever happens to the socket.
 */
export class TgRpcConnection {
  state: ConnectionState = 'connecting'
  /** Calls sent and not yet ended. */
  get inFlight (): number { return this.pending.size }
  /** The server's announced limit of calls in flight on one connection. */
  maxConcurrent = DEFAULT_MAX_CONCURRENT
  private serverMaxBodyBytes = DEFAULT_MAX_BODY_BYTES
  private readonly socket: Socket
  private readonly writer: FrameWriter
  private readonly decoder: FrameDecoder
  private readonly pending = new Map<number, PendingCall>()
  private nextId = 1
  /** False until the socket connected: calls that fail before were never sent (safe to retry). */
  private connected = false
  private receivedSinceTick = true
  private pingOutstanding = false
  private readonly heartbeat: NodeJS.Timeout
  private readonly connectTimer: NodeJS.Timeout
  // One timer for every deadline of the connection, set for the earliest (a timer per call cost
  // more than the rest of the call's bookkeeping). Calls of one route share a timeout, so later
  // calls expire later and rarely move it.
  private deadlineTimer: NodeJS.Timeout | undefined
  private deadlineTimerAt = Infinity
  private closeListeners: Array<(error: Error | undefined) => void> = []
  private readyListeners: Array<() => void> = []

  constructor (private readonly options: TgRpcConnectionOptions) {
    this.decoder = new FrameDecoder({ maxHeaderBytes: DEFAULT_MAX_HEADER_BYTES, maxBodyBytes: options.maxBodyBytes })
    const socket = options.tls === undefined
      ? connectTcp({ host: options.host, port: options.port, noDelay: true })
      // tls.connect ignores `noDelay`, hence setNoDelay; an address is no SNI name (RFC 6066), so none is sent for one.
      : connectTls({ ...options.tls, host: options.host, port: options.port, servername: options.tls.servername ?? (isIP(options.host) === 0 ? options.host : undefined) }).setNoDelay(true)
    this.socket = socket
    this.writer = new FrameWriter(socket)
    this.connectTimer = setTimeout(() => this.destroy(new Error(`connect to ${options.host}:${options.port} timed out`)), options.connectTimeoutMs).unref()
    socket.once(options.tls === undefined ? 'connect' : 'secureConnect', () => {
      clearTimeout(this.connectTimer)
      this.connected = true
      if (this.state === 'connecting') this.state = 'ready'
      for (const listener of this.readyListeners) listener()
      this.readyListeners = []
    })
    socket.on('data', (chunk: Buffer) => this.onData(chunk))
    socket.on('error', (error) => this.destroy(error))
    socket.on('close', () => this.destroy(undefined))
    this.heartbeat = setInterval(() => this.onHeartbeat(), options.heartbeatMs).unref()
  }

  /** Calls `listener` once connected (at once if already). */
  onReady (listener: () => void): void {
    if (this.state === 'ready' || this.state === 'draining') listener()
    else if (this.state === 'connecting') this.readyListeners.push(listener)
  }

  /** Calls `listener` once when the connection is gone, with the error that ended it, if any. */
  onClose (listener: (error: Error | undefined) => void): void {
    if (this.state === 'closed') listener(undefined)
    else this.closeListeners.push(listener)
  }

  /** True when a new call may be sent now. */
  get usable (): boolean {
    return (this.state === 'ready' || this.state === 'connecting') && this.pending.size < this.maxConcurrent
  }

  /**
   * Sends a call. Returns a function that cancels it (the callback then gets CANCELLED); the
   * callback is called exactly once in every case.
   */
  call (call: TgRpcCall, callback: TgRpcCallback): () => void {
    if (!this.usable) {
      callback(new TgRpcCallError(TgRpcStatus.UNAVAILABLE, `connection to ${this.options.host}:${this.options.port} takes no new calls`, false), undefined)
      return noop
    }
    if (call.body.length > this.serverMaxBodyBytes) {
      callback(new TgRpcCallError(TgRpcStatus.RESOURCE_EXHAUSTED, `request body of ${call.body.length} bytes exceeds the server's ${this.serverMaxBodyBytes}`, false), undefined)
      return noop
    }
    const id = this.nextId
    this.nextId = id === MAX_REQUEST_ID ? 1 : id + 1
    const headers: Array<readonly [string, string]> = [
      [HeaderKey.SERVICE, call.service],
      [HeaderKey.METHOD, call.method],
      [HeaderKey.DEADLINE_MS, String(Math.max(1, Math.ceil(call.timeoutMs)))]
    ]
    if (call.headers !== undefined) headers.push(...call.headers)
    const deadlineAt = performance.now() + call.timeoutMs
    this.pending.set(id, new PendingCall(callback, deadlineAt))
    if (deadlineAt < this.deadlineTimerAt) this.armDeadlineTimer(deadlineAt)
    this.writer.write(encodeFrame(FrameType.REQUEST, 0, id, headers, call.body))
    return () => this.cancel(id)
  }

  /** Closes the connection; calls in flight end with UNAVAILABLE. */
  destroy (error: Error | undefined): void {
    if (this.state === 'closed') return
    this.state = 'closed'
    clearTimeout(this.connectTimer)
    clearInterval(this.heartbeat)
    clearTimeout(this.deadlineTimer)
    this.socket.destroy()
    const reason = error?.message ?? 'connection closed'
    for (const [id, call] of this.pending) {
      this.pending.delete(id)
      call.end(new TgRpcCallError(TgRpcStatus.UNAVAILABLE, `TG-RPC connection to ${this.options.host}:${this.options.port} lost: ${reason}`, this.connected), undefined)
    }
    for (const listener of this.closeListeners) listener(error)
    this.closeListeners = []
    this.readyListeners = []
  }

  private onData (chunk: Buffer): void {
    this.receivedSinceTick = true
    this.pingOutstanding = false
    try {
      this.decoder.push(chunk, this.onFrame)
    } catch (error) {
      this.destroy(error instanceof TgRpcProtocolError ? error : new Error(String(error)))
    }
  }

  private readonly onFrame = (frame: Frame): void => {
    switch (frame.type) {
      case FrameType.RESPONSE: return this.settle(frame)
      case FrameType.PING: return this.writer.write(encodeFrame(FrameType.PONG, 0, frame.requestId, [], frame.body))
      case FrameType.PONG: return
      case FrameType.SETTINGS: return this.applySettings(frame.headers)
      case FrameType.GOAWAY: return this.goAway(frame.requestId)
      default: this.destroy(new TgRpcProtocolError('BAD_FRAME_TYPE', `a server sent frame type ${frame.type}`))
    }
  }

  private settle (frame: Frame): void {
    const call = this.pending.get(frame.requestId)
    if (call === undefined) return // Expired or cancelled: the late answer is dropped.
    this.pending.delete(frame.requestId)
    call.end(undefined, { status: frame.status, headers: frame.headers, body: frame.body })
    if (this.state === 'draining' && this.pending.size === 0) this.destroy(undefined)
  }

  private applySettings (headers: ReadonlyMap<string, string>): void {
    const concurrent = Number(headers.get(HeaderKey.MAX_CONCURRENT))
    if (Number.isInteger(concurrent) && concurrent > 0) this.maxConcurrent = concurrent
    const body = Number(headers.get(HeaderKey.MAX_BODY_BYTES))
    if (Number.isInteger(body) && body > 0) this.serverMaxBodyBytes = body
  }

  /** The server stops taking calls: those above `lastId` never ran and may go elsewhere. */
  private goAway (lastId: number): void {
    this.state = 'draining'
    for (const [id, call] of this.pending) {
      if (id <= lastId) continue
      this.pending.delete(id)
      call.end(new TgRpcCallError(TgRpcStatus.UNAVAILABLE, 'the server is going away; the call was not run', false), undefined)
    }
    if (this.pending.size === 0) this.destroy(undefined)
  }

  private armDeadlineTimer (at: number): void {
    if (this.state === 'closed') return
    clearTimeout(this.deadlineTimer)
    this.deadlineTimerAt = at
    this.deadlineTimer = setTimeout(this.onDeadlineTimer, Math.max(1, Math.ceil(at - performance.now()))).unref()
  }

  /** Expires the calls past their deadline and sets the timer for the next one. */
  private readonly onDeadlineTimer = (): void => {
    this.deadlineTimer = undefined
    this.deadlineTimerAt = Infinity
    const now = performance.now()
    let next = Infinity
    for (const [id, call] of this.pending) {
      if (call.deadlineAt <= now) this.expire(id, call)
      else if (call.deadlineAt < next) next = call.deadlineAt
    }
    if (next < this.deadlineTimerAt && this.pending.size > 0) this.armDeadlineTimer(next)
  }

  private expire (id: number, call: PendingCall): void {
    this.pending.delete(id)
    this.writer.write(encodeFrame(FrameType.CANCEL, 0, id, [], undefined))
    call.end(new TgRpcCallError(TgRpcStatus.DEADLINE_EXCEEDED, 'the TG-RPC call passed its deadline', true), undefined)
  }

  private cancel (id: number): void {
    const call = this.pending.get(id)
    if (call === undefined) return
    this.pending.delete(id)
    this.writer.write(encodeFrame(FrameType.CANCEL, 0, id, [], undefined))
    call.end(new TgRpcCallError(TgRpcStatus.CANCELLED, 'the TG-RPC call was cancelled by its caller', true), undefined)
  }

  /** Every heartbeat interval: a silent connection gets a PING; one silent for two intervals is dead. */
  private onHeartbeat (): void {
    if (this.state !== 'ready' && this.state !== 'draining') return
    if (this.receivedSinceTick) {
      this.receivedSinceTick = false
      return
    }
    if (this.pingOutstanding) {
      this.destroy(new Error(`no bytes from the server for ${2 * this.options.heartbeatMs} ms (heartbeat)`))
      return
    }
    this.pingOutstanding = true
    this.writer.write(encodeFrame(FrameType.PING, 0, 0, [], undefined))
  }
}

function noop (): void {}
