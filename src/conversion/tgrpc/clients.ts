import type { ConnectionOptions } from 'node:tls'
import type { ServiceConfig } from '../../config/gateway-config.js'
import { TgRpcTargetClient, type TargetClientOptions } from '../../tgrpc/target-client.js'
import { nodeTlsOptions, targetTlsOf, tlsForTarget, type TargetTls } from '../../upstream/target-tls.js'
import type { Target } from '../../upstream/transport/transport.js'

/** Client settings of a tgrpc service (plain JSON data: services with equal settings share connections). */
export interface TgRpcClientSettings extends Omit<TargetClientOptions, 'host' | 'port' | 'tls'> {
  /** TLS to the targets; undefined for plain TCP. */
  readonly tls: TargetTls | undefined
}

/** The TG-RPC clients of one service's settings, one per target, opened on first use. */
export class TgRpcClients {
  private readonly byTarget = new Map<string, TgRpcTargetClient>()
  /** The TLS options every connection shares (one secure context per settings group), or undefined. */
  private readonly tls: ConnectionOptions | undefined

  constructor (private readonly settings: TgRpcClientSettings) {
    this.tls = settings.tls === undefined ? undefined : nodeTlsOptions(settings.tls)
  }

  /** The client of `target` (its connections are shared by every config version with these settings). */
  forTarget (target: Target): TgRpcTargetClient {
    let client = this.byTarget.get(target.id)
    if (client === undefined) {
      const { tls: _settings, ...options } = this.settings
      client = new TgRpcTargetClient({ ...options, host: target.host, port: target.port, ...(this.tls === undefined ? {} : { tls: tlsForTarget(this.tls, target) }) })
      this.byTarget.set(target.id, client)
    }
    return client
  }

  close (): void {
    for (const client of this.byTarget.values()) client.close()
    this.byTarget.clear()
  }
}

/** Client settings of a tgrpc service (a CA file is read here, once per config version). */
export function tgRpcClientSettings (service: ServiceConfig): TgRpcClientSettings {
  return {
    connections: service.tgrpc.connections_per_target,
    heartbeatMs: service.tgrpc.heartbeat_ms,
    maxBodyBytes: service.tgrpc.max_response_bytes,
    connectTimeoutMs: service.timeouts.connect_ms,
    // Reconnect pauses: short enough that a restarted backend is back within a second.
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 2_000,
    tls: service.tgrpc.tls ? targetTlsOf(service) : undefined
  }
}
