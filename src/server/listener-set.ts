import type { GatewayConfig, ListenerConfig } from '../config/gateway-config.js'
import type { Logger } from '../kit/logger.js'
import { NodeListener, type ListenerLimits, type RequestHandler } from './ingress/node-listener.js'
import { TlsContexts } from './tls-contexts.js'

function limitsOf (config: GatewayConfig): ListenerLimits {
  const { limits, timeouts } = config.gateway
  return {
    maxHeaderBytes: limits.max_header_bytes,
    maxHeaderCount: limits.max_header_count,
    headerReadMs: timeouts.header_read_ms,
    keepAliveIdleMs: timeouts.keep_alive_idle_ms,
    requestMs: timeouts.request_ms
  }
}

const listenerKey = (l: ListenerConfig): string => JSON.stringify([l.name, l.host, l.port, l.protocol, l.http2, l.ingress])

/**
 * The listeners of a worker. Opened with the first config; a reload swaps certificates in place.
 * Adding, removing or changing listeners (ports, protocols) or their limits needs a restart: the
 * running ones stay and a warning says so.
 */
export class ListenerSet {
  private readonly listeners: NodeListener[]
  private readonly tls: TlsContexts
  private readonly shape: string
  private readonly log: Logger
  ports: number[] = []

  constructor (config: GatewayConfig, handler: RequestHandler, log: Logger) {
    this.log = log
    this.tls = new TlsContexts(config.certificates)
    const limits = limitsOf(config)
    this.listeners = config.gateway.listeners.map((l) => new NodeListener(l, limits, handler, l.protocol === 'https' ? this.tls : undefined))
    this.shape = JSON.stringify([config.gateway.listeners.map(listenerKey), limits])
  }

  async open (): Promise<number[]> {
    this.ports = await Promise.all(this.listeners.map((l) => l.listen()))
    return this.ports
  }

  update (config: GatewayConfig): void {
    this.tls.update(config.certificates)
    const shape = JSON.stringify([config.gateway.listeners.map(listenerKey), limitsOf(config)])
    if (shape !== this.shape) this.log.warn({}, 'listener or limit changes take effect after a restart; the running listeners are kept')
  }

  stopAccepting (): void {
    for (const l of this.listeners) l.stopAccepting()
  }

  closeIdle (): void {
    for (const l of this.listeners) l.closeIdle()
  }

  closeAll (): void {
    for (const l of this.listeners) l.closeAll()
  }
}
