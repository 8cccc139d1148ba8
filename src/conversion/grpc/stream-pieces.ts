/**
 * What each message of a server stream becomes on the wire (docs/grpc.md, "Server streaming"):
 * one line of newline-delimited JSON (`application/x-ndjson`), or for google.api.HttpBody its raw
 * bytes, the stream's content type coming from the first message.
 */
import type { GrpcBinding } from './http-rules/bindings.js'
import { fieldToJson, messageToJson } from './mapping/proto-to-json.js'
import { readHttpBody } from './mapping/http-body.js'

/** The content type of a stream of JSON lines (one message per line, RFC 8259 text, no newline inside). */
export const NDJSON = 'application/x-ndjson'
const OCTET_STREAM = 'application/octet-stream'

/** One message's bytes for the client, and the content type it names (raw bodies only). */
export interface StreamPiece {
  readonly bytes: Buffer
  readonly contentType: string
}

/**
 * The bytes of one response message: its proto3 JSON (or its `response_body` field's) and a
 * newline, or the raw data of an HttpBody. Throws WireError for bytes that do not decode.
 */
export function streamPiece (binding: GrpcBinding, message: Buffer): StreamPiece {
  if (binding.rawResponseBody) {
    const { contentType, data } = readHttpBody(binding.responseType, message, binding.responseBody)
    return { bytes: data, contentType: contentType === '' ? OCTET_STREAM : contentType }
  }
  const json = binding.responseBody === '' ? messageToJson(binding.responseType, message) : fieldToJson(binding.responseType, message, binding.responseBody)
  // The printer escapes control characters inside strings, so a line holds exactly one message.
  return { bytes: Buffer.from(json + '\n'), contentType: NDJSON }
}

/** The content type of a stream that ended before its first message. */
export function emptyStreamContentType (binding: GrpcBinding): string {
  return binding.rawResponseBody ? OCTET_STREAM : NDJSON
}
