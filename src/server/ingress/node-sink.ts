import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import { stopHandling } from './closing-connections.js'
import type { ResponseSink } from './ingress.js'

/** The part both node:http's and the HTTP/2 compatibility API's responses offer. */
interface WritableResponse {
  readonly headersSent: boolean
  readonly writableFinished: boolean
  write (chunk: Buffer): boolean
  end (chunk?: Buffer | string): unknown
  once (event: 'drain' | 'close', listener: () => void): unknown
}

/** What is the same for both: writing, ending, drain and abort notifications. */
abstract class NodeResponseSink<R extends ServerResponse | Http2ServerResponse> implements ResponseSink {
  protected readonly res: R
  private readonly out: WritableResponse

  constructor (res: R) {
    this.res = res
    this.out = res as unknown as WritableResponse
  }

  get headersSent (): boolean {
    return this.out.headersSent
  }

  abstract writeHead (status: number, headers: string[]): void
  abstract destroy (): void
  abstract closeAfterResponse (): void

  write (chunk: Buffer): boolean {
    return this.out.write(chunk)
  }

  end (chunk?: Buffer | string): void {
    if (chunk === undefined) this.out.end()
    else this.out.end(chunk)
  }

  onDrain (listener: () => void): void {
    this.out.once('drain', listener)
  }

  onAbort (listener: () => void): void {
    this.out.once('close', () => { if (!this.out.writableFinished) listener() })
  }
}

/** The ResponseSink of the node ingress over an HTTP/1.x ServerResponse. */
export class Http1Sink extends NodeResponseSink<ServerResponse> {
  private closeAfter = false

  writeHead (status: number, headers: string[]): void {
    if (this.closeAfter) {
      headers.push('connection', 'close')
      // The request's socket: the response has none yet while it waits behind pipelined ones.
      stopHandling(this.res.req.socket)
    } else if ((this.res as ServerResponse & { _last?: boolean })._last === true) {
      // node:http marked it the last answer of a connection the client half-closed (node-listener.ts).
      headers.push('connection', 'close')
    }
    this.res.writeHead(status, headers)
  }

  destroy (): void {
    this.res.destroy()
  }

  closeAfterResponse (): void {
    this.closeAfter = true
  }
}

/** The ResponseSink over an HTTP/2 compatibility response: flat headers become an object. */
export class Http2Sink extends NodeResponseSink<Http2ServerResponse> {
  writeHead (status: number, headers: string[]): void {
    const object: Record<string, string | string[]> = {}
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string
      const value = headers[i + 1] as string
      const prev = object[name]
      if (prev === undefined) object[name] = value
      else if (Array.isArray(prev)) prev.push(value)
      else object[name] = [prev, value]
    }
    this.res.writeHead(status, object)
  }

  destroy (): void {
    this.res.stream.close()
  }

  /** HTTP/2 sessions are closed gracefully (GOAWAY) by the listener when draining. */
  closeAfterResponse (): void {}
}
