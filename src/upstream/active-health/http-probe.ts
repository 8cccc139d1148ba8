import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { ConnectionOptions } from 'node:tls'
import { targetId } from '../targets.js'
import { tlsForTarget } from '../target-tls.js'
import { noAnswerIn, type TargetProbe } from './probe.js'

/** What an HTTP check sends and accepts. */
export interface HttpCheck {
  /** Path and query, e.g. `/health`. */
  readonly path: string
  readonly expectedStatuses: ReadonlySet<number>
  /** Host header; undefined: the target's `host:port` (its host name when it has one). */
  readonly hostHeader: string | undefined
  /** TLS options (from `nodeTlsOptions`) for a check over HTTPS; undefined for plain HTTP. */
  readonly tls: ConnectionOptions | undefined
}

/**
 * The HTTP check: GET `path` (no keep-alive, body read and dropped); it passes when a status in
 * `expectedStatuses` arrives in time.
 */
export function httpProbe (check: HttpCheck): TargetProbe {
  return (target, timeoutMs) => new Promise((resolve) => {
    let settled = false
    const settle = (error: string | undefined): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(error)
    }
    const hostHeader = check.hostHeader ?? (target.hostName === undefined ? target.id : targetId(target.hostName, target.port))
    const tls = check.tls === undefined ? undefined : tlsForTarget(check.tls, target)
    const options = {
      host: target.host,
      port: target.port,
      path: check.path,
      method: 'GET',
      agent: false,
      headers: { host: hostHeader, 'user-agent': 'tollgate-health-check', connection: 'close' },
      // An empty servername sends no SNI (an address is no server name) and checks the certificate against the address.
      ...(tls === undefined ? {} : { ...tls, servername: tls.servername ?? (isIP(target.host) === 0 ? target.host : '') })
    }
    const req = (tls === undefined ? http : https).request(options, (res) => {
      const status = res.statusCode ?? 0
      res.resume()
      res.on('end', () => settle(check.expectedStatuses.has(status) ? undefined : `status ${status}`))
      res.on('error', (error) => settle(error.message))
    })
    const timer = setTimeout(() => {
      settle(noAnswerIn(timeoutMs))
      req.destroy()
    }, timeoutMs)
    req.on('error', (error: NodeJS.ErrnoException) => settle(error.code ?? error.message))
    req.end()
  })
}
