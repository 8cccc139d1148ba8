import { randomUUID } from 'node:crypto'
import type { Socket } from 'node:net'
import { ERRORS, errorBody, type ErrorCode } from '../../errors.js'
import { stopHandling } from './closing-connections.js'

/** Maps an HTTP/1 parse or timeout error (llhttp's HPE_* codes, node:http's timeout) to a catalog code. */
export function clientErrorCode (error: { readonly code?: string }): ErrorCode {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW': return 'TG_REQUEST_HEADERS_TOO_LARGE'
    case 'HPE_URI_TOO_LONG': return 'TG_REQUEST_URL_TOO_LONG'
    case 'ERR_HTTP_REQUEST_TIMEOUT': return 'TG_REQUEST_TIMEOUT'
    default: return 'TG_REQUEST_MALFORMED'
  }
}

/**
 * The complete answer to a request that could not be parsed (or timed out while arriving): the
 * standard JSON error with a fresh request id, and `connection: close` since the framing is
 * unknown and the connection cannot be reused. Both ingresses send exactly these bytes.
 */
export function clientErrorResponse (code: ErrorCode): string {
  const requestId = randomUUID()
  const body = errorBody(code, requestId)
  const { status } = ERRORS[code]
  return `HTTP/1.1 ${status} ${reasonPhrase(status)}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nx-request-id: ${requestId}\r\nconnection: close\r\n\r\n${body}`
}

/** The part of node:http's ServerResponse (and its request) the error answer looks at. */
export interface PendingResponse {
  readonly headersSent?: boolean
  readonly req?: { readonly complete?: boolean, destroy?: () => void }
  once?: (event: 'finish', listener: () => void) => unknown
}

/**
 * Answers a request node:http could not parse (or that timed out while arriving, or that the
 * client's FIN cut short: that one gets no answer) and closes the connection. When an earlier,
 * completely received request still has its response on the way, the error waits for it (a
 * pipelined client must get its answers in order).
 */
export function answerClientError (error: NodeJS.ErrnoException, socket: Socket): void {
  const pending = (socket as Socket & { _httpMessage?: PendingResponse })._httpMessage
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy()
    return
  }
  // Data after a request that asked to close: nothing more is read, the response on the way closes.
  if (error.code === 'HPE_CLOSED_CONNECTION' && pending !== undefined) return
  // The response on the socket belongs to an earlier, complete request: the error comes after it.
  if (pending?.req?.complete === true && pending.once !== undefined) {
    pending.once('finish', () => { answerClientError(error, socket) })
    socket.once('end', () => { keepOpenForErrorAnswer(socket) })
    return
  }
  // The failed request's own answer has begun: no second answer, the connection is dropped.
  if (pending?.headersSent === true) {
    socket.destroy()
    return
  }
  // Its answer was already sent in full (the gateway refused it before its body was in): no second
  // answer either; the connection closes.
  const latest = latestResponses.get(socket)
  if (latest !== undefined && latest.headersSent === true && latest.req?.complete === false) {
    socket.end()
    stopHandling(socket)
    return
  }
  // The client's FIN cut the request short (it half-closed): no answer, as nginx gives none.
  if (error.code === 'HPE_INVALID_EOF_STATE') socket.end()
  else socket.end(clientErrorResponse(clientErrorCode(error)))
  // The connection is over, but node:http keeps parsing what still arrives: the rest of a
  // timed-out body would complete that request (and send it upstream), later bytes would become
  // new requests. Both are dropped.
  stopHandling(socket)
  if (pending?.req?.complete === false) pending.req.destroy?.()
}

/**
 * The client half-closed while an error answer waits behind a response: node:http has just marked
 * the newest response the connection's last (node-listener.ts), which would close the connection
 * before the error answer. It is unmarked: the error answer ends the connection instead.
 */
function keepOpenForErrorAnswer (socket: Socket): void {
  const latest = latestResponses.get(socket) as { _last?: boolean } | undefined
  if (latest !== undefined) latest._last = false
}

const latestResponses = new WeakMap<Socket, PendingResponse>()

/** Notes the response of the newest request on a connection (the one a parse error would concern). */
export function noteLatestResponse (socket: Socket, response: PendingResponse): void {
  latestResponses.set(socket, response)
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
