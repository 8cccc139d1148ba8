import type { ServiceConfig } from '../../config/gateway-config.js'
import { TgRpcTargetClient, type TargetClientOptions } from '../../tgrpc/target-client.js'
import type { Target } from '../../upstream/transport/transport.js'

/** The TG-RPC clients of one service's settings, one per target, opened on first use. */
export class TgRpcClients {
  private readonly byTarget = new Map<string, TgRpcTargetClient>()

  constructor (private readonly settings: Omit<TargetClientOptions, 'host' | 'port'>) {}

  /** The client of `target` (its connections are shared by every config version with these settings). */
  forTarget (target: Target): TgRpcTargetClient {
    let client = this.byTarget.get(target.id)
    if (client === undefined) {
      client = new TgRpcTargetClient({ ...this.settings, host: target.host, port: target.port })
      this.byTarget.set(target.id, client)
    }
    return client
  }

  close (): void {
    for (const client of this.byTarget.values()) client.close()
    this.byTarget.clear()
  }
}

/** Client settings of a tgrpc service; services with equal settings share connections. */
export function tgRpcClientSettings (service: ServiceConfig): Omit<TargetClientOptions, 'host' | 'port'> {
  return {
    connections: service.tgrpc.connections_per_target,
    heartbeatMs: service.tgrpc.heartbeat_ms,
    maxBodyBytes: service.tgrpc.max_response_bytes,
    connectTimeoutMs: service.timeouts.connect_ms,
    // Reconnect pauses: short enough that a restarted backend is back within a second.
    reconnectDelayMs: 100,
    maxReconnectDelayMs: 2_000
  }
}
