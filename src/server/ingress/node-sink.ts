import type { ServerResponse } from 'node:http'
import type { Http2ServerResponse } from 'node:http2'
import type { ResponseSink } from './ingress.js'

/** The ResponseSink of the node ingress over an HTTP/1.x ServerResponse. */
export class Http1Sink implements ResponseSink {
  private readonly res: ServerResponse
  private closeAfter = false

  constructor (res: ServerResponse) {
    this.res = res
  }

  get headersSent (): boolean {
    return this.res.headersSent
  }

  writeHead (status: number, headers: string[]): void {
    if (this.closeAfter) headers.push('connection', 'close')
    this.res.writeHead(status, headers)
  }

  write (chunk: Buffer): boolean {
    return this.res.write(chunk)
  }

  end (chunk?: Buffer | string): void {
    if (chunk === undefined) this.res.end()
    else this.res.end(chunk)
  }

  onDrain (listener: () => void): void {
    this.res.once('drain', listener)
  }

  onAbort (listener: () => void): void {
    this.res.once('close', () => { if (!this.res.writableFinished) listener() })
  }

  destroy (): void {
    this.res.destroy()
  }

  closeAfterResponse (): void {
    this.closeAfter = true
  }
}

/** The ResponseSink over an HTTP/2 compatibility response: flat headers become an object. */
export class Http2Sink implements ResponseSink {
  private readonly res: Http2ServerResponse

  constructor (res: Http2ServerResponse) {
    this.res = res
  }

  get headersSent (): boolean {
    return this.res.headersSent
  }

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

  write (chunk: Buffer): boolean {
    return this.res.write(chunk)
  }

  end (chunk?: Buffer | string): void {
    if (chunk === undefined) this.res.end()
    else this.res.end(chunk)
  }

  onDrain (listener: () => void): void {
    this.res.once('drain', listener)
  }

  onAbort (listener: () => void): void {
    this.res.once('close', () => { if (!this.res.writableFinished) listener() })
  }

  destroy (): void {
    this.res.stream.close()
  }

  /** HTTP/2 sessions are closed gracefully (GOAWAY) by the listener when draining. */
  closeAfterResponse (): void {}
}
