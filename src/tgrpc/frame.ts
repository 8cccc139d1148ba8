import { HEAD_BYTES, MAGIC, VERSION, type FrameTypeCode } from './protocol.js'
import { headerMapBytes, writeHeaderMap, type HeaderEntries } from './header-map.js'

/** One decoded frame. `body` is a view into the received bytes (copy it to keep it past the callback). */
export interface Frame {
  readonly type: FrameTypeCode
  readonly status: number
  readonly requestId: number
  readonly headers: ReadonlyMap<string, string>
  readonly body: Buffer
}

// Bodies up to this size are copied behind the head so a frame leaves in one write; larger ones
// go as a second buffer (copying them would cost more than the extra write).
const INLINE_BODY_BYTES = 16 * 1024

/**
 * Encodes a frame as one buffer, or two (head + body) for large bodies. `requestId` must be an
 * integer in [0, 2^53).
 */
export function encodeFrame (type: FrameTypeCode, status: number, requestId: number, headers: HeaderEntries, body: Buffer | undefined): Buffer[] {
  const headerBytes = headers.length === 0 ? 0 : headerMapBytes(headers)
  const bodyBytes = body?.length ?? 0
  const inline = bodyBytes <= INLINE_BODY_BYTES
  const head = Buffer.allocUnsafe(HEAD_BYTES + headerBytes + (inline ? bodyBytes : 0))
  head.writeUInt16BE(MAGIC, 0)
  head[2] = VERSION
  head[3] = type
  head.writeUInt16BE(status, 4)
  head.writeUInt16BE(0, 6)
  head.writeUInt32BE(Math.floor(requestId / 0x1_0000_0000), 8)
  head.writeUInt32BE(requestId >>> 0, 12)
  head.writeUInt32BE(headerBytes, 16)
  head.writeUInt32BE(bodyBytes, 20)
  if (headerBytes > 0) writeHeaderMap(headers, head, HEAD_BYTES)
  if (body === undefined || bodyBytes === 0) return [head]
  if (inline) {
    body.copy(head, HEAD_BYTES + headerBytes)
    return [head]
  }
  return [head, body]
}
