/** The merchant's answer to a finished gRPC call. */
import type { Metadata, StatusObject } from '@grpc/grpc-js'
import type { Reply } from '../../kit/reply.js'
import type { GrpcBinding } from './http-rules/bindings.js'
import { fieldToJson, messageToJson } from './mapping/proto-to-json.js'
import { WireError } from './mapping/wire-read.js'
import { readHttpBody } from './mapping/http-body.js'
import { GrpcStatus, grpcStatusName, httpStatusForGrpc } from './status.js'
import { responseHeaders } from './call-metadata.js'

/**
 * True when the outcome says something about the target's health (for passive ejection and the
 * EWMA cost): it was unreachable, or did not answer in time. Application errors are healthy answers.
 */
export function isTargetFailure (code: number): boolean {
  return code === GrpcStatus.UNAVAILABLE || code === GrpcStatus.DEADLINE_EXCEEDED
}

/**
 * OK → the response message as proto3 JSON (or its `response_body` field), 200; a
 * google.api.HttpBody is answered with its own bytes and content type instead. Otherwise the
 * standard JSON error with the HTTP status of the gRPC code; a target that could not be reached
 * at all (UNAVAILABLE before any response header) answers like an unavailable HTTP upstream.
 */
export function replyForStatus (binding: GrpcBinding, status: StatusObject, message: Buffer | undefined, headers: Metadata | undefined): Reply & { status: number } {
  const extra = responseHeaders(headers, status.metadata)
  if (status.code === GrpcStatus.OK && message !== undefined) {
    try {
      if (binding.rawResponseBody) return rawBodyReply(binding, message, extra)
      const body = binding.responseBody === '' ? messageToJson(binding.responseType, message) : fieldToJson(binding.responseType, message, binding.responseBody)
      return { status: 200, headers: { ...extra, 'content-type': 'application/json' }, body }
    } catch (error) {
      if (!(error instanceof WireError)) throw error
      return { status: 502, code: 'TG_UPSTREAM_BAD_RESPONSE', message: `the backend's ${binding.responseType.fullName.slice(1)} does not decode: ${error.message}` }
    }
  }
  if (status.code === GrpcStatus.OK) return { status: 502, code: 'TG_UPSTREAM_BAD_RESPONSE', message: 'the backend answered OK without a response message' }
  const name = grpcStatusName(status.code)
  const text = status.details === '' ? name : `${name}: ${status.details}`
  const errorHeaders = { ...extra, 'grpc-status': String(status.code) }
  if (status.code === GrpcStatus.DEADLINE_EXCEEDED) return { status: 504, code: 'TG_UPSTREAM_TIMEOUT', message: text, headers: errorHeaders }
  if (status.code === GrpcStatus.UNAVAILABLE && headers === undefined) return { status: 503, code: 'TG_UPSTREAM_UNAVAILABLE', message: text, headers: errorHeaders }
  return { status: httpStatusForGrpc(status.code), code: 'TG_UPSTREAM_RPC_ERROR', message: text, headers: errorHeaders }
}

/** An HttpBody's data as the body, its content_type as Content-Type (octet-stream when it names none). */
function rawBodyReply (binding: GrpcBinding, message: Buffer, extra: Record<string, string>): Reply & { status: number } {
  const { contentType, data } = readHttpBody(binding.responseType, message, binding.responseBody)
  return { status: 200, headers: { ...extra, 'content-type': contentType === '' ? 'application/octet-stream' : contentType }, body: data }
}
