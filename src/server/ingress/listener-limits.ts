import type { IngressRequest, ResponseSink } from './ingress.js'

/** Client-side limits and timeouts a listener enforces. */
export interface ListenerLimits {
  readonly maxHeaderBytes: number
  readonly maxHeaderCount: number
  readonly headerReadMs: number
  readonly keepAliveIdleMs: number
  readonly requestMs: number
}

export type RequestHandler = (request: IngressRequest, sink: ResponseSink) => void

/** What the worker does with a listener of either ingress. */
export interface IngressListener {
  /** Starts listening; resolves with the bound port. */
  listen (): Promise<number>
  /** Stops accepting, closes idle keep-alive connections and asks HTTP/2 clients to go away. */
  stopAccepting (): void
  /** Closes idle connections again (connections that became idle since the drain started). */
  closeIdle (): void
  /** Drops every remaining connection (the drain timeout passed). */
  closeAll (): void
}
