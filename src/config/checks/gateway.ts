/** Cross checks of the global settings: listeners and restart backoff. */
import type { GatewaySettings, ListenerEntry } from '../schema/gateway.js'
import type { ProblemList } from '../problems.js'
import { reportDuplicates, usableItems } from './items.js'
import { isLoopback } from '../../status/loopback.js'

/**
 * Reports listeners with the same name or the same host:port (port 0 excepted: each gets its own
 * free port), `http2` on a plain http listener, an https listener without any certificate, and a
 * restart backoff whose initial delay exceeds its maximum.
 */
export function checkGateway (gateway: GatewaySettings | undefined, certificateCount: number, problems: ProblemList): void {
  if (gateway === undefined || typeof gateway !== 'object') return
  const listeners = usableItems<ListenerEntry>(gateway.listeners, problems, 'gateway', 'listeners')
  reportDuplicates(listeners, problems, 'listener name', (l) => l.name, (item) => `${item.at}/name`)
  reportDuplicates(listeners, problems, 'listener address', (l) => l.port === 0 ? undefined : `${l.host}:${l.port}`, (item) => `${item.at}/port`)
  for (const { at, entry } of listeners) {
    if (entry.protocol === 'http' && entry.http2 === true) {
      problems.add(`${at}/http2`, 'http2 needs protocol https (HTTP/2 over cleartext is not supported)')
    }
    if (entry.protocol === 'https' && certificateCount === 0) {
      problems.add(`${at}/protocol`, 'an https listener needs at least one entry in /certificates')
    }
  }
  const status = gateway.status
  if (status !== undefined && !problems.has('/gateway/status') && status.token === undefined && !isLoopback(status.host)) {
    problems.add('/gateway/status/token', `is required when the status listener binds a non-loopback address (${status.host})`)
  }
  const backoff = gateway.restart_backoff
  if (!problems.has('/gateway/restart_backoff') && backoff.initial_ms > backoff.max_ms) {
    problems.add('/gateway/restart_backoff/initial_ms', `must not exceed max_ms (${backoff.max_ms})`)
  }
}
