import type { Reply } from '../../kit/reply.js'
import type { TgRpcReply } from '../../tgrpc/client-connection.js'
import type { TgRpcCallError } from '../../tgrpc/errors.js'
import { HeaderKey } from '../../tgrpc/protocol.js'
import { httpStatusFor, statusName, TgRpcStatus } from '../../tgrpc/status.js'

/**
 * True when the attempt says something about the target's health (for passive ejection): the
 * call was lost or timed out, or the backend said UNAVAILABLE. Application errors (NOT_FOUND,
 * INVALID_ARGUMENT…) are healthy answers.
 */
export function isTargetFailure (error: TgRpcCallError | undefined, reply: TgRpcReply | undefined): boolean {
  if (error !== undefined) return true
  return reply?.status === TgRpcStatus.UNAVAILABLE
}

/** The merchant's answer to a call that got no response. */
export function replyForCallError (error: TgRpcCallError): Reply {
  switch (error.status) {
    case TgRpcStatus.DEADLINE_EXCEEDED: return { code: 'TG_UPSTREAM_TIMEOUT' }
    case TgRpcStatus.RESOURCE_EXHAUSTED: return { code: 'TG_UPSTREAM_UNAVAILABLE', message: error.message, headers: { 'retry-after': '1' } }
    default: return { code: 'TG_UPSTREAM_CONNECT_FAILED', message: error.message }
  }
}

const SUCCESS_STATUS = /^2\d\d$/

/**
 * The merchant's answer to a response: OK → its body as it came, with its content type (default
 * JSON) and an optional `http-status` 2xx; any other status → the standard JSON error with the
 * HTTP status of docs/tgrpc.md §4 and the backend's status name and message.
 */
export function replyForRpcAnswer (reply: TgRpcReply): Reply & { status: number } {
  if (reply.status === TgRpcStatus.OK) {
    const wanted = reply.headers.get('http-status')
    return {
      status: wanted !== undefined && SUCCESS_STATUS.test(wanted) ? Number(wanted) : 200,
      headers: { 'content-type': reply.headers.get(HeaderKey.CONTENT_TYPE) ?? 'application/json' },
      body: reply.body
    }
  }
  const message = reply.headers.get(HeaderKey.MESSAGE)
  return {
    status: httpStatusFor(reply.status),
    code: 'TG_UPSTREAM_RPC_ERROR',
    message: message === undefined || message === '' ? statusName(reply.status) : `${statusName(reply.status)}: ${message}`
  }
}
