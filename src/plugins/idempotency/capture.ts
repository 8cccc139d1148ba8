import type { GatewayResponse } from '../../kit/context.js'
import type { StoredResponse } from './store.js'

/** Response fields never stored: framing (recomputed on replay) and the request id (each request has its own). */
const NOT_STORED: ReadonlySet<string> = new Set(['content-length', 'transfer-encoding', 'x-request-id'])

/**
 * The response of a first request, collected while it is sent, up to `maxBytes` of body. Complete
 * only once the last body byte went through (`ended`); a response past the cap is dropped.
 */
export class ResponseCapture {
  status = 0
  headers: string[] = []
  /** A gateway reply (an error, a plugin's answer): never stored. */
  generated = false
  /** The body went past the cap: not stored. */
  tooBig = false
  /** The last body byte was seen: the response is complete. */
  ended = false
  private chunks: Buffer[] = []
  private size = 0

  constructor (private readonly maxBytes: number, private readonly replayHeader: string) {}

  head (response: GatewayResponse): void {
    this.status = response.status
    this.generated = response.generated
    const flat: string[] = []
    response.headers.forEach((value, name) => {
      if (!NOT_STORED.has(name) && name !== this.replayHeader) flat.push(name, value)
    })
    this.headers = flat
  }

  body (chunk: Buffer, last: boolean): void {
    if (!this.tooBig && chunk.length > 0) {
      this.size += chunk.length
      if (this.size > this.maxBytes) {
        this.tooBig = true
        this.chunks = []
      } else {
        this.chunks.push(chunk)
      }
    }
    if (last) this.ended = true
  }

  stored (): StoredResponse {
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.chunks, this.size) }
  }
}
