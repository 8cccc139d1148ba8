import { readFileSync } from 'node:fs'
import type { ServiceConfig } from '../config/gateway-config.js'
import { createH1Transport } from '../upstream/transport/h1-client.js'
import type { TransportOptions, UpstreamTransport } from '../upstream/transport/transport.js'

/**
 * Upstream transports of a worker, shared across config versions: a reload that leaves a
 * service's connection settings alone keeps its warm keep-alive pool. Keyed by the options.
 */
export class TransportPool {
  private readonly byOptions = new Map<string, UpstreamTransport>()

  forService (service: ServiceConfig): UpstreamTransport {
    const options: TransportOptions = {
      protocol: service.protocol,
      maxIdlePerTarget: service.keepalive.max_idle_per_target,
      idleTimeoutMs: service.keepalive.idle_timeout_ms,
      tlsVerify: service.tls.verify,
      ...(service.tls.servername !== undefined ? { tlsServername: service.tls.servername } : {}),
      ...(service.tls.ca_file !== undefined ? { tlsCa: readFileSync(service.tls.ca_file, 'utf8') } : {})
    }
    const key = JSON.stringify(options)
    let transport = this.byOptions.get(key)
    if (transport === undefined) {
      transport = createH1Transport(options)
      this.byOptions.set(key, transport)
    }
    return transport
  }

  async closeAll (): Promise<void> {
    await Promise.all([...this.byOptions.values()].map((t) => t.close()))
    this.byOptions.clear()
  }
}
