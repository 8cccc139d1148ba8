import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import { ERRORS, errorBody, type ErrorCode } from '../../errors.js'

/** Maps an HTTP/1 parse or timeout error of node:http to a catalog code. */
export function clientErrorCode (error: NodeJS.ErrnoException): ErrorCode {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': return 'TG_REQUEST_HEADERS_TOO_LARGE'
    case 'HPE_URI_TOO_LONG': return 'TG_REQUEST_URL_TOO_LONG'
    case 'ERR_HTTP_REQUEST_TIMEOUT': return 'TG_REQUEST_TIMEOUT'
    default: return 'TG_REQUEST_MALFORMED'
  }
}

/**
 * Answers a request node:http could not parse (or that timed out while arriving) with the standard
 * JSON error and closes the connection: the framing is unknown, so it cannot be reused.
 */
export function answerClientError (error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable || (socket as Socket & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true) {
    socket.destroy()
    return
  }
  const code = clientErrorCode(error)
  const requestId = randomUUID()
  const body = errorBody(code, requestId)
  const { status } = ERRORS[code]
  socket.end(`HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`)
}

function reasonPhrase (status: number): string {
  switch (status) {
    case 400: return 'Bad Request'
    case 408: return 'Request Timeout'
    case 414: return 'URI Too Long'
    case 431: return 'Request Header Fields Too Large'
    default: return 'Error'
  }
}
