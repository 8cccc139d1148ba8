import type { Readable } from 'node:stream'

/** One backend address. `id` is `host:port` and keys per-target state across reloads. */
export interface Target {
  readonly id: string
  /** What is connected to: an IP address, or a name the system resolves on connect. */
  readonly host: string
  readonly port: number
  readonly weight: number
  /**
   * The configured host name when `host` is one of its resolved addresses (`src/upstream/dns/`):
   * sent as the Host header and the TLS server name instead of the address. Absent otherwise.
   */
  readonly hostName?: string
}

/** Timeouts of one upstream attempt, in milliseconds. */
export interface UpstreamTimeouts {
  /** TCP (and TLS) connection establishment. */
  readonly connectMs: number
  /** Longest pause while writing the request. */
  readonly sendMs: number
  /** Longest wait for the response head, and longest pause between body chunks. */
  readonly readMs: number
}

/** A request to send upstream. */
export interface UpstreamRequest {
  readonly method: string
  /** Path and query as they go on the request line, e.g. `/orders?id=1`. */
  readonly path: string
  /** Flat `[name, value, ...]` list, lower-case names, hop-by-hop fields already removed; includes `host`. */
  readonly headers: string[]
  /**
   * The body: null for none, a Buffer, or a stream. A stream with `bodyLength` set is sent with
   * that Content-Length; without it the request is sent chunked.
   */
  readonly body: Buffer | Readable | null
  readonly bodyLength: number | undefined
  readonly timeouts: UpstreamTimeouts
  /** True when the request may be replayed on a fresh connection after a stale keep-alive socket. */
  readonly idempotent: boolean
}

/**
 * Receives the response of one attempt. Exactly one of `onEnd` or `onError` is called, once.
 * Returning false from `onData` pauses the body until `call.resume()`.
 */
export interface UpstreamResponseHandler {
  /** The final response head (1xx are consumed by the transport). `headers` is flat, names lower-case. */
  onHead (status: number, headers: string[]): void
  onData (chunk: Buffer): boolean
  onEnd (): void
  onError (error: UpstreamFailure): void
}

/** Handle of an attempt in flight. */
export interface UpstreamCall {
  /** Stops the attempt and discards its connection (the client went away, or a timeout above). */
  abort (): void
  /** Resumes a body paused by `onData` returning false. */
  resume (): void
}

/** Why an attempt failed. `stage` says whether any of the response reached the gateway. */
export type UpstreamFailureKind =
  | 'connect-refused' // ECONNREFUSED, EHOSTUNREACH, DNS failure
  | 'connect-timeout'
  | 'send-timeout'
  | 'read-timeout'
  | 'reset' // the connection closed or reset before the response was complete
  | 'bad-response' // the response broke HTTP/1.1 framing rules (CL+TE, bad lengths, bad chunking, ...)
  | 'tls' // TLS handshake or certificate failure
  | 'aborted' // abort() was called

export class UpstreamFailure extends Error {
  readonly kind: UpstreamFailureKind
  /** True when the response head had already been passed to onHead. */
  readonly afterHead: boolean
  constructor (kind: UpstreamFailureKind, message: string, afterHead = false, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'UpstreamFailure'
    this.kind = kind
    this.afterHead = afterHead
  }
}

/** Options of a transport for one service. */
export interface TransportOptions {
  readonly protocol: 'http' | 'https'
  /** Idle keep-alive connections kept per target. */
  readonly maxIdlePerTarget: number
  /** Milliseconds an idle pooled connection is kept. */
  readonly idleTimeoutMs: number
  /** For https: verify the upstream certificate (default true) and the SNI/servername to send. */
  readonly tlsVerify?: boolean
  readonly tlsServername?: string
  /** For https: extra CA certificates (PEM). */
  readonly tlsCa?: string
  /** For https: client certificate chain and its key (PEM), shown to targets that ask for one. */
  readonly tlsCert?: string
  readonly tlsKey?: string
}

/** Sends HTTP requests to targets over pooled keep-alive connections (DESIGN.md §6). */
export interface UpstreamTransport {
  request (target: Target, request: UpstreamRequest, handler: UpstreamResponseHandler): UpstreamCall
  /** Closes idle connections and refuses new requests; in-flight ones finish. */
  close (): Promise<void>
}
