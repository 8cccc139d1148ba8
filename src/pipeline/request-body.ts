import type { Readable } from 'node:stream'
import { GatewayError } from '../errors.js'

/**
 * Reads a request body stream into one Buffer, refusing more than `maxBytes`
 * (TG_REQUEST_BODY_TOO_LARGE). A declared Content-Length over the limit is refused before reading.
 */
export function readWholeBody (body: Readable | null, declaredLength: number | undefined, maxBytes: number): Promise<Buffer> {
  if (body === null) return Promise.resolve(Buffer.alloc(0))
  const stream = body
  if (declaredLength !== undefined && declaredLength > maxBytes) {
    return Promise.reject(new GatewayError('TG_REQUEST_BODY_TOO_LARGE'))
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let total = 0
    const onData = (chunk: Buffer): void => {
      total += chunk.length
      if (total > maxBytes) {
        cleanup()
        stream.pause()
        reject(new GatewayError('TG_REQUEST_BODY_TOO_LARGE'))
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => { cleanup(); resolve(chunks.length === 1 ? chunks[0] as Buffer : Buffer.concat(chunks, total)) }
    // A GatewayError comes from a cap on the stream (request.limitBody): its code is the answer.
    const onError = (err: Error): void => { cleanup(); reject(err instanceof GatewayError ? err : new GatewayError('TG_REQUEST_MALFORMED', 'the request body could not be read', { cause: err })) }
    const onClose = (): void => { cleanup(); reject(new GatewayError('TG_REQUEST_MALFORMED', 'the client closed the connection while sending the body')) }
    function cleanup (): void {
      stream.off('data', onData)
      stream.off('end', onEnd)
      stream.off('error', onError)
      stream.off('close', onClose)
    }
    stream.on('data', onData)
    stream.on('end', onEnd)
    stream.on('error', onError)
    stream.on('close', onClose)
  })
}
