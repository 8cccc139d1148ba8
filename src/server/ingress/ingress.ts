import type { Readable } from 'node:stream'

/**
 * What an ingress hands the gateway for each request. This seam is why plugins and the pipeline
 * never see node:http objects: a faster ingress (DESIGN.md §11) produces the same two objects.
 */
export interface IngressRequest {
  readonly method: string
  /** The request-target exactly as received (path and query). */
  readonly target: string
  /** '1.0', '1.1' or '2.0'. */
  readonly httpVersion: string
  /** Flat raw header list `[Name, value, ...]` as received (pseudo-headers excluded). */
  readonly rawHeaders: readonly string[]
  /** The :authority of HTTP/2 requests (HTTP/1 carries it in the Host header). */
  readonly authority: string | undefined
  readonly peerIp: string
  /** The local port the request arrived on (for X-Forwarded-Port when the Host has none). */
  readonly localPort: number
  readonly tls: boolean
  /** The body stream, or null when the request has none. */
  readonly body: Readable | null
  /** Content-Length when declared; undefined when chunked; 0 without body. */
  readonly bodyLength: number | undefined
}

/** Where the gateway writes the response. Implemented by each ingress. */
export interface ResponseSink {
  /** Sends status and headers (flat `[name, value, ...]`, lower-case names, no hop-by-hop fields). */
  writeHead (status: number, headers: string[]): void
  /** Writes a body chunk; false means the client is slow: wait for `onDrain`. */
  write (chunk: Buffer): boolean
  /** Ends the response, optionally with a last chunk. */
  end (chunk?: Buffer | string): void
  /** Calls `listener` once the client can take more data. */
  onDrain (listener: () => void): void
  /** Calls `listener` once if the client connection goes away before the response ended. */
  onAbort (listener: () => void): void
  /** Tears the client connection down (an upstream failed after the head was sent). */
  destroy (): void
  /** Asks the ingress to close the connection after this response (draining). */
  closeAfterResponse (): void
  readonly headersSent: boolean
}
