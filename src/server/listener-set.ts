import type { GatewayConfig, ListenerConfig } from '../config/gateway-config.js'
import type { Logger } from '../kit/logger.js'
import { ingressFallbacks } from '../metrics/ingress-metrics.js'
import { checkFastH1, type FastH1Unavailable } from './ingress/fast-h1/availability.js'
import { FastH1Listener } from './ingress/fast-h1/listener.js'
import type { ModuleLoader, ParserBinding } from './ingress/fast-h1/llhttp-binding.js'
import type { IngressListener, ListenerLimits, RequestHandler } from './ingress/listener-limits.js'
import { NodeListener } from './ingress/node-listener.js'
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

/** Test hooks: how fast-h1 finds Node's parser module (to simulate it missing or broken). */
export interface ListenerSetOptions {
  readonly loadModule?: ModuleLoader
}

/**
 * The listeners of a worker. Opened with the first config; a reload swaps certificates in place.
 * Adding, removing or changing listeners (ports, protocols) or their limits needs a restart: the
 * running ones stay and a warning says so.
 */
export class ListenerSet {
  private readonly listeners: IngressListener[]
  private readonly tls: TlsContexts
  private readonly shape: string
  private readonly log: Logger
  /** The ingress each listener actually runs, by listener name. */
  readonly ingressInUse = new Map<string, 'fast-h1' | 'node'>()
  ports: number[] = []

  constructor (config: GatewayConfig, handler: RequestHandler, log: Logger, options: ListenerSetOptions = {}) {
    this.log = log
    this.tls = new TlsContexts(config.certificates)
    const limits = limitsOf(config)
    let fastH1: ParserBinding | FastH1Unavailable | undefined
    this.listeners = config.gateway.listeners.map((l) => {
      const tls = l.protocol === 'https' ? this.tls : undefined
      if (l.ingress === 'fast-h1') {
        fastH1 ??= checkFastH1(options.loadModule)
        if (!('reason' in fastH1)) {
          this.ingressInUse.set(l.name, 'fast-h1')
          return new FastH1Listener(l, limits, handler, tls, fastH1)
        }
        this.log.warn({ listener: l.name, reason: fastH1.reason, detail: fastH1.detail }, 'fast-h1 ingress unavailable; this listener uses the node ingress')
        ingressFallbacks.series(l.name, fastH1.reason).inc()
      }
      this.ingressInUse.set(l.name, 'node')
      return new NodeListener(l, limits, handler, tls)
    })
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
