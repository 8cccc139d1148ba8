// Builds the request head as one latin1 string and writes small requests in one socket write.
// The framing fields (Content-Length / Transfer-Encoding) are always the transport's own: the
// ones the caller passed are dropped so the head can never disagree with the body sent.
import type { Socket } from 'node:net'
import { isTokenChar } from './h1-head-parser.js'
import type { UpstreamRequest } from './transport.js'

/** Bodies up to this size are copied next to the head and sent in the same write (one syscall). */
export const INLINE_BODY_BYTES = 16 * 1024
/** Larger Buffer bodies are written in slices of this size, so each flushed slice counts as send progress. */
export const BODY_SLICE_BYTES = 64 * 1024

/** Methods whose requests carry a body by convention: sent with `content-length: 0` when empty, as undici does. */
const EXPECTS_BODY = new Set(['POST', 'PUT', 'PATCH'])

/**
 * Throws a TypeError when the method, path or a header would break the request line or a field
 * (space in the path, CR, LF or NUL anywhere). Misuse by code: checked once per request, cheaply.
 */
export function checkRequest (request: UpstreamRequest): void {
  if (!isToken(request.method)) throw new TypeError(`invalid request method "${request.method}"`)
  const path = request.path
  if (path.length === 0 || hasUnsafe(path) || path.includes(' ')) throw new TypeError('invalid request path')
  const headers = request.headers
  if ((headers.length & 1) === 1) throw new TypeError('request.headers must hold name/value pairs')
  for (let i = 0; i < headers.length; i++) {
    if (hasUnsafe(headers[i] as string)) throw new TypeError(`CR, LF or NUL in request header ${i >> 1}`)
  }
  const body = request.body
  if (body !== null && !Buffer.isBuffer(body) && request.bodyLength !== undefined &&
      (!Number.isSafeInteger(request.bodyLength) || request.bodyLength < 0)) {
    throw new TypeError('request.bodyLength must be a non-negative integer')
  }
}

function isToken (s: string): boolean {
  if (s.length === 0) return false
  for (let i = 0; i < s.length; i++) if (!isTokenChar(s.charCodeAt(i))) return false
  return true
}

function hasUnsafe (s: string): boolean {
  return s.includes('\r') || s.includes('\n') || s.includes('\0')
}

/**
 * The request head, blank line included. `framing` is the transport's framing field line
 * (e.g. `content-length: 5\r\n`) or an empty string.
 */
export function buildHead (request: UpstreamRequest, framing: string): string {
  let head = `${request.method} ${request.path} HTTP/1.1\r\n`
  const headers = request.headers
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string
    if ((name.length === 14 && name === 'content-length') || (name.length === 17 && name === 'transfer-encoding')) continue
    head += `${name}: ${headers[i + 1] as string}\r\n`
  }
  return head + framing + '\r\n'
}

/** The framing line for a request: by Content-Length when known, chunked for a stream of unknown length. */
export function framingLine (request: UpstreamRequest): string {
  const body = request.body
  if (body === null) return EXPECTS_BODY.has(request.method) ? 'content-length: 0\r\n' : ''
  if (Buffer.isBuffer(body)) return `content-length: ${body.length}\r\n`
  if (request.bodyLength !== undefined) return `content-length: ${request.bodyLength}\r\n`
  return 'transfer-encoding: chunked\r\n'
}

/**
 * Writes the head and, for a null or Buffer body, the whole body. Returns the number of socket
 * writes issued; each one calls `onFlushed` once when handed to the kernel.
 */
export function writeHeadAndBuffer (socket: Socket, head: string, body: Buffer | null, onFlushed: (err?: Error | null) => void): number {
  if (body === null || body.length === 0) {
    socket.write(head, 'latin1', onFlushed)
    return 1
  }
  if (body.length <= INLINE_BODY_BYTES) {
    // One copy of a small body is cheaper than a writev of two chunks.
    const out = Buffer.allocUnsafe(head.length + body.length)
    out.write(head, 0, 'latin1')
    body.copy(out, head.length)
    socket.write(out, onFlushed)
    return 1
  }
  socket.cork()
  socket.write(head, 'latin1', onFlushed)
  let writes = 1
  for (let offset = 0; offset < body.length; offset += BODY_SLICE_BYTES) {
    socket.write(body.subarray(offset, offset + BODY_SLICE_BYTES), onFlushed)
    writes++
  }
  socket.uncork()
  return writes
}
