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
