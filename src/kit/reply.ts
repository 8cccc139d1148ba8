import type { ErrorCode } from '../errors.js'

/**
 * What a plugin returns to end a request. Returning `undefined` means "continue".
 *
 * Either an error reply from the catalog (`code`, optional `message` and `status` override) that the
 * gateway renders as `{"error":{"code","message","request_id"}}`, or a plain reply with a `body`.
 */
export interface Reply {
  /** HTTP status; defaults to the catalog status of `code`, or 200 for a body reply. */
  status?: number
  /** Catalog code; when set the body is the standard JSON error. */
  code?: ErrorCode
  /** Overrides the catalog message of `code`. */
  message?: string
  /** Extra response headers (lower-case names). */
  headers?: Record<string, string>
  /** Body of a non-error reply. */
  body?: string | Buffer
}

/** Shorthand for an error reply with extra headers. */
export function errorReply (code: ErrorCode, headers?: Record<string, string>, message?: string): Reply {
  const reply: Reply = { code }
  if (headers !== undefined) reply.headers = headers
  if (message !== undefined) reply.message = message
  return reply
}
