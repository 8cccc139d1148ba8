import type { ConnectionOptions } from 'node:tls'
import { TgRpcConnection } from '../../tgrpc/client-connection.js'
import { HEALTH_CHECK, HeaderKey } from '../../tgrpc/protocol.js'
import { TgRpcStatus, statusName } from '../../tgrpc/status.js'
import { tlsForTarget } from '../target-tls.js'
import { noAnswerIn, type TargetProbe } from './probe.js'

/** What a TG-RPC check asks. */
export interface TgRpcCheck {
  /** The service whose status is asked (`health-service`); '' for the whole server. */
  readonly service: string
  /** TLS options (from `nodeTlsOptions`); undefined for plain TCP. */
  readonly tls: ConnectionOptions | undefined
}

/** The health answer is an empty body or a short message; more is not read. */
const MAX_ANSWER_BYTES = 64 * 1024
const NO_BODY = Buffer.alloc(0)

/**
 * The TG-RPC check: the health method `tgrpc.health/check` (docs/tgrpc.md §9) on a connection of
 * its own, opened for the check and closed after it (the gateway's connections are not borrowed,
 * so a check says whether a new connection works). It passes when the answer is OK.
 */
export function tgRpcProbe (check: TgRpcCheck): TargetProbe {
  const headers: Array<readonly [string, string]> = check.service === '' ? [] : [[HeaderKey.HEALTH_SERVICE, check.service]]
  return (target, timeoutMs) => new Promise((resolve) => {
    const connection = new TgRpcConnection({
      host: target.host,
      port: target.port,
      ...(check.tls === undefined ? {} : { tls: tlsForTarget(check.tls, target) }),
      connectTimeoutMs: timeoutMs,
      // The connection lives for one check: no PING is ever due.
      heartbeatMs: Math.max(timeoutMs, 1000),
      maxBodyBytes: MAX_ANSWER_BYTES
    })
    // The call's deadline runs from now, so it bounds the connect as well as the answer.
    connection.call({ ...HEALTH_CHECK, headers, body: NO_BODY, timeoutMs }, (error, reply) => {
      connection.destroy(undefined)
      if (error !== undefined) resolve(error.status === TgRpcStatus.DEADLINE_EXCEEDED ? noAnswerIn(timeoutMs) : error.message)
      else if (reply === undefined || reply.status === TgRpcStatus.OK) resolve(undefined)
      else resolve([statusName(reply.status), reply.headers.get(HeaderKey.MESSAGE)].filter((part) => part !== undefined).join(': '))
    })
  })
}
