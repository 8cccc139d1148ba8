import { scan } from '../codec/json/index.js'
import { serialize } from '../codec/json/serialize.js'
import { DEFAULT_MAX_DEPTH } from '../codec/json/index.js'
import { HeaderKey } from './protocol.js'
import type { TgRpcHandler, TgRpcResult, TgRpcServerCall } from './server.js'
import { TgRpcStatus } from './status.js'

/** A handler in the parsed-JSON style: gets the request as JS values, returns a JS value to send. */
export type JsonCallHandler = (request: unknown, call: TgRpcServerCall) => unknown

/**
 * Adapts a JSON handler to the raw one: the body is parsed by Tollgate's lossless codec (integers
 * beyond 2^53 arrive as bigint, never rounded) and the returned value is written the same way
 * (bigint as exact digits, "/" not escaped). A malformed body is answered INVALID_ARGUMENT with
 * the codec's position; a thrown error is INTERNAL. Return a `TgRpcResult` from
 * `jsonError(status, message)` to answer another status.
 */
export function jsonHandler (handler: JsonCallHandler): TgRpcHandler {
  return async (call) => {
    let request: unknown
    try {
      request = call.body.length === 0 ? undefined : scan(call.body).toJS()
    } catch (error) {
      return { status: TgRpcStatus.INVALID_ARGUMENT, message: `the request body is not valid JSON: ${(error as Error).message}` }
    }
    const value = await handler(request, call)
    if (value instanceof JsonError) return value.result
    return {
      headers: [[HeaderKey.CONTENT_TYPE, 'application/json']],
      body: value === undefined ? '' : serialize(value, DEFAULT_MAX_DEPTH, (bytes) => { scan(bytes) })
    }
  }
}

class JsonError {
  constructor (readonly result: TgRpcResult) {}
}

/** What a JSON handler returns to answer a non-OK status. */
export function jsonError (status: number, message: string): JsonError {
  return new JsonError({ status, message })
}
