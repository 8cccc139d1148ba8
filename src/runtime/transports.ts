import type { ServiceConfig } from '../config/gateway-config.js'
import { createH1Transport } from '../upstream/transport/h1-client.js'
import type { TransportOptions, UpstreamTransport } from '../upstream/transport/transport.js'
import { TgRpcClients, tgRpcClientSettings } from '../conversion/tgrpc/clients.js'
import { GrpcClients, grpcClientSettings } from '../conversion/grpc/clients.js'
import { targetTlsOf, type TargetTls } from '../upstream/target-tls.js'

/**
 * Upstream transports of a worker, shared across config versions: a reload that leaves a
 * service's connection settings alone keeps its warm keep-alive pool. Keyed by the options.
 */
export class TransportPool {
  private readonly byOptions = new Map<string, UpstreamTransport>()
  private readonly tgRpcBySettings = new Map<string, TgRpcClients>()
  private readonly grpcBySettings = new Map<string, GrpcClients>()

  /** The gRPC channels for a grpc service, kept across config versions with the same settings. */
  grpcFor (service: ServiceConfig): GrpcClients {
    return sharedBySettings(this.grpcBySettings, grpcClientSettings(service), (settings) => new GrpcClients(settings))
  }

  /** The TG-RPC clients for a tgrpc service, kept across config versions with the same settings. */
  tgRpcFor (service: ServiceConfig): TgRpcClients {
    return sharedBySettings(this.tgRpcBySettings, tgRpcClientSettings(service), (settings) => new TgRpcClients(settings))
  }

  forService (service: ServiceConfig): UpstreamTransport {
    const options: TransportOptions = {
      // A tgrpc or grpc service has no HTTP traffic; its (never used) HTTP transport is a plain one.
      protocol: service.protocol === 'https' ? 'https' : 'http',
      maxIdlePerTarget: service.keepalive.max_idle_per_target,
      idleTimeoutMs: service.keepalive.idle_timeout_ms,
      ...(service.protocol === 'https' ? httpsOptions(targetTlsOf(service)) : {})
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
    for (const clients of this.tgRpcBySettings.values()) clients.close()
    this.tgRpcBySettings.clear()
    for (const clients of this.grpcBySettings.values()) clients.close()
    this.grpcBySettings.clear()
  }
}

/** The TLS options of an https transport. */
function httpsOptions (tls: TargetTls): Partial<TransportOptions> {
  return {
    tlsVerify: tls.verify,
    ...(tls.servername === undefined ? {} : { tlsServername: tls.servername }),
    ...(tls.ca === undefined ? {} : { tlsCa: tls.ca }),
    ...(tls.cert === undefined ? {} : { tlsCert: tls.cert, tlsKey: tls.key })
  }
}

/** The entry of `byKey` for `settings` (keyed by their JSON), made on first use. */
function sharedBySettings<S, T> (byKey: Map<string, T>, settings: S, make: (settings: S) => T): T {
  const key = JSON.stringify(settings)
  let shared = byKey.get(key)
  if (shared === undefined) {
    shared = make(settings)
    byKey.set(key, shared)
  }
  return shared
}
