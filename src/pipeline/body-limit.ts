import { Transform, type Readable, type TransformCallback } from 'node:stream'
import { GatewayError } from '../errors.js'

function ignore (): void {}

/**
 * Counts the bytes of a streamed request body on their way through and stops at a cap. Chunks pass
 * through as they come (nothing is held beyond the stream buffers' usual high-water marks); the
 * chunk that crosses the cap is dropped, `onExceeded` runs, then the stream is destroyed with
 * TG_REQUEST_BODY_TOO_LARGE, so a reader of it (`readBody`) rejects with that code.
 */
class BodyLimit extends Transform {
  private received = 0

  constructor (private readonly maxBytes: number, private readonly onExceeded: () => void) {
    super()
  }

  override _transform (chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length
    if (this.received <= this.maxBytes) {
      callback(null, chunk)
      return
    }
    callback()
    this.onExceeded()
    this.destroy(new GatewayError('TG_REQUEST_BODY_TOO_LARGE'))
  }
}

/**
 * Returns a stream that yields `source`'s bytes up to `maxBytes` and calls `onExceeded` once when
 * the body goes past it. The rest of the body is then read and discarded (the connection is
 * closed after the reply), so the client is not left blocked writing into a full socket.
 */
export function limitBodyStream (source: Readable, maxBytes: number, onExceeded: () => void): Readable {
  const limiter: BodyLimit = new BodyLimit(maxBytes, () => {
    source.unpipe(limiter)
    source.resume()
    onExceeded()
  })
  // The error a destroyed limiter emits reaches its readers' own listeners; this one only keeps
  // a limiter nobody reads yet (the proxy has not started) from crashing the worker.
  limiter.on('error', ignore)
  source.on('error', (error) => limiter.destroy(error))
  source.on('close', () => { if (!source.readableEnded && !limiter.destroyed) limiter.destroy() })
  source.pipe(limiter)
  return limiter
}
