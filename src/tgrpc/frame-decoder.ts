import { TgRpcProtocolError } from './errors.js'
import type { Frame } from './frame.js'
import { readHeaderMap } from './header-map.js'
import { HEAD_BYTES, MAGIC, MAX_FRAME_TYPE, VERSION, type FrameTypeCode } from './protocol.js'

export interface DecoderLimits {
  readonly maxHeaderBytes: number
  readonly maxBodyBytes: number
}

/**
 * Turns a TCP byte stream into frames, whatever the chunking: a frame split at any byte, or many
 * frames in one chunk. The head is checked as soon as its 24 bytes are in, so an oversized or
 * foreign frame is refused before its body is buffered. After a TgRpcProtocolError the stream is
 * unusable: close the connection.
 */
export class FrameDecoder {
  // Chunks of an incomplete frame, joined only once the frame is whole (no quadratic copying of
  // a large body that arrives in many chunks).
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Bytes needed before parsing can make progress: a head, or the whole current frame. */
  private needed = HEAD_BYTES
  private readonly limits: DecoderLimits

  constructor (limits: DecoderLimits) {
    this.limits = limits
  }

  /** Feeds bytes; calls `onFrame` for each complete frame, in order. Throws TgRpcProtocolError. */
  push (chunk: Buffer, onFrame: (frame: Frame) => void): void {
    if (this.pendingBytes + chunk.length < this.needed) {
      this.pending.push(chunk)
      this.pendingBytes += chunk.length
      // A foreign protocol (an HTTP request sent to the wrong port) is refused on its first two
      // bytes rather than after a full head that may never come.
      if (this.needed === HEAD_BYTES && this.pendingBytes >= 2) this.checkMagic()
      return
    }
    const data = this.pendingBytes === 0 ? chunk : Buffer.concat([...this.pending, chunk])
    this.pending = []
    this.pendingBytes = 0
    this.needed = HEAD_BYTES
    let at = 0
    while (data.length - at >= HEAD_BYTES) {
      const headerBytes = data.readUInt32BE(at + 16)
      const bodyBytes = data.readUInt32BE(at + 20)
      this.checkHead(data, at, headerBytes, bodyBytes)
      const end = at + HEAD_BYTES + headerBytes + bodyBytes
      if (end > data.length) {
        this.needed = end - at
        break
      }
      const headersEnd = at + HEAD_BYTES + headerBytes
      onFrame({
        type: data[at + 3] as FrameTypeCode,
        status: data.readUInt16BE(at + 4),
        requestId: data.readUInt32BE(at + 8) * 0x1_0000_0000 + data.readUInt32BE(at + 12),
        headers: headerBytes === 0 ? EMPTY_HEADERS : readHeaderMap(data, at + HEAD_BYTES, headersEnd),
        body: data.subarray(headersEnd, end)
      })
      at = end
    }
    if (at < data.length) {
      // A copy of the remainder only, so a large chunk is not pinned by a few trailing bytes.
      const rest = Buffer.from(data.subarray(at))
      this.pending.push(rest)
      this.pendingBytes = rest.length
    }
  }

  /** Bytes received that do not yet make a whole frame. */
  get buffered (): number {
    return this.pendingBytes
  }

  private checkMagic (): void {
    const first = this.pending[0] as Buffer
    const magic = first.length >= 2 ? first.readUInt16BE(0) : ((first[0] as number) << 8) | ((this.pending[1] as Buffer)[0] as number)
    if (magic !== MAGIC) throw new TgRpcProtocolError('BAD_MAGIC', 'the stream is not TG-RPC (bad magic)')
  }

  private checkHead (data: Buffer, at: number, headerBytes: number, bodyBytes: number): void {
    if (data.readUInt16BE(at) !== MAGIC) throw new TgRpcProtocolError('BAD_MAGIC', 'the stream is not TG-RPC (bad magic)')
    if (data[at + 2] !== VERSION) throw new TgRpcProtocolError('BAD_VERSION', `unsupported TG-RPC version ${data[at + 2] as number}`)
    const type = data[at + 3] as number
    if (type === 0 || type > MAX_FRAME_TYPE) throw new TgRpcProtocolError('BAD_FRAME_TYPE', `unknown frame type ${type}`)
    if (data.readUInt16BE(at + 6) !== 0) throw new TgRpcProtocolError('BAD_FLAGS', 'flags must be 0 in version 1')
    if (data.readUInt32BE(at + 8) > 0x1f_ffff) throw new TgRpcProtocolError('BAD_REQUEST_ID', 'request ids must be below 2^53')
    if (headerBytes > this.limits.maxHeaderBytes) throw new TgRpcProtocolError('HEADER_TOO_LARGE', `header map of ${headerBytes} bytes exceeds ${this.limits.maxHeaderBytes}`)
    if (bodyBytes > this.limits.maxBodyBytes) throw new TgRpcProtocolError('BODY_TOO_LARGE', `body of ${bodyBytes} bytes exceeds ${this.limits.maxBodyBytes}`)
  }
}

const EMPTY_HEADERS: ReadonlyMap<string, string> = new Map()
