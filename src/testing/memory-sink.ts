import type { ResponseSink } from '../server/ingress/ingress.js'

/** A response captured in memory by inject(). */
export interface InjectedResponse {
  status: number
  /** Lower-case names; repeated fields joined with ', '. */
  headers: Record<string, string>
  body: Buffer
  /** True when the gateway cut the connection instead of ending the response. */
  destroyed: boolean
  json: () => unknown
}

/** A ResponseSink that keeps everything in memory and resolves when the response is complete. */
export class MemorySink implements ResponseSink {
  headersSent = false
  readonly done: Promise<InjectedResponse>
  private status = 0
  private readonly headers: Record<string, string> = {}
  private readonly chunks: Buffer[] = []
  private resolve!: (response: InjectedResponse) => void

  constructor () {
    this.done = new Promise((resolve) => { this.resolve = resolve })
  }

  writeHead (status: number, headers: string[]): void {
    this.status = status
    this.headersSent = true
    for (let i = 0; i < headers.length; i += 2) {
      const name = headers[i] as string
      const prev = this.headers[name]
      this.headers[name] = prev === undefined ? headers[i + 1] as string : `${prev}, ${headers[i + 1] as string}`
    }
  }

  write (chunk: Buffer): boolean {
    this.chunks.push(chunk)
    return true
  }

  end (chunk?: Buffer | string): void {
    if (chunk !== undefined) this.chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    this.settle(false)
  }

  onDrain (_listener: () => void): void {}
  onAbort (_listener: () => void): void {}

  destroy (): void {
    this.settle(true)
  }

  closeAfterResponse (): void {}

  private settle (destroyed: boolean): void {
    const body = Buffer.concat(this.chunks)
    this.resolve({ status: this.status, headers: this.headers, body, destroyed, json: () => JSON.parse(body.toString('utf8')) })
  }
}
