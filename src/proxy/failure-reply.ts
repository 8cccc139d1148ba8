import { GatewayError } from '../errors.js'
import type { Reply } from '../kit/reply.js'
import type { UpstreamFailure } from '../upstream/transport/transport.js'

/** Maps an upstream failure to the client's answer: timeouts 504, everything else 502. */
export function failureReply (error: UpstreamFailure): Reply {
  switch (error.kind) {
    case 'connect-timeout':
    case 'send-timeout':
    case 'read-timeout':
      return { code: 'TG_UPSTREAM_TIMEOUT' }
    case 'bad-response':
      return { code: 'TG_UPSTREAM_BAD_RESPONSE' }
    default:
      return { code: 'TG_UPSTREAM_CONNECT_FAILED' }
  }
}

/**
 * 503 when no target is usable (every one down or ejected), with `Retry-After` in whole seconds
 * (at least 1, rounded up) until the first of them may be back.
 */
export function unavailableReply (retryAfterMs: number): Reply {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000))
  return { code: 'TG_UPSTREAM_UNAVAILABLE', headers: { 'retry-after': String(seconds) } }
}

/** The answer when a body read for a retryable route failed: its catalog code (413, ...), else 400. */
export function bodyReadFailure (error: unknown): Reply {
  if (error instanceof GatewayError) return { code: error.code }
  return { code: 'TG_REQUEST_MALFORMED', message: 'the request body could not be read' }
}
