/**
 * One grpc-js channel (Client) per backend target, so Tollgate's balancer picks the host and
 * grpc-js only carries the call. Calls use raw bytes in both directions: the gateway encodes and
 * decodes messages itself, with no generated code.
 */
import { Client, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js'
import type { ServiceConfig } from '../../config/gateway-config.js'
import type { Target } from '../../upstream/transport/transport.js'
import { targetTlsOf, type TargetTls } from '../../upstream/target-tls.js'

/** Channel settings of a grpc service; services with equal settings share channels. */
export interface GrpcClientSettings {
  readonly maxResponseBytes: number
  readonly connectTimeoutMs: number
  /** TLS to the targets; undefined for plain-text HTTP/2. */
  readonly tls: TargetTls | undefined
}

/** Settings of `service`'s channels (a CA file is read here, once per config version). */
export function grpcClientSettings (service: ServiceConfig): GrpcClientSettings {
  return {
    maxResponseBytes: service.grpc.max_response_bytes,
    connectTimeoutMs: service.timeouts.connect_ms,
    tls: service.grpc.tls ? targetTlsOf(service) : undefined
  }
}

/** Channel credentials: plain text, or TLS with the service's CA and client certificate. */
export function channelCredentials (tls: TargetTls | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure()
  const ca = tls.ca === undefined ? null : Buffer.from(tls.ca)
  const key = tls.key === undefined ? null : Buffer.from(tls.key)
  const cert = tls.cert === undefined ? null : Buffer.from(tls.cert)
  // verify: false trusts any certificate and name, as for https services.
  return credentials.createSsl(ca, key, cert, tls.verify ? {} : { rejectUnauthorized: false, checkServerIdentity: () => undefined })
}

/**
 * The channel options that name the target: `tls.servername` when set, else the host name a
 * target was resolved from (src/upstream/dns/), is the :authority and the TLS name checked.
 */
export function targetNameOptions (tls: TargetTls | undefined, target: Pick<Target, 'hostName'>): ChannelOptions {
  const name = tls?.servername ?? target.hostName
  return name === undefined ? {} : { 'grpc.ssl_target_name_override': name, 'grpc.default_authority': name }
}

/** `host:port` as a grpc-js channel target (IPv6 addresses in brackets). */
export function channelAddress (target: Pick<Target, 'host' | 'port'>): string {
  const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host
  return `${host}:${target.port}`
}

/** Passes bytes through: messages are encoded before the call and decoded after it. */
export const rawBytes = (bytes: Buffer): Buffer => bytes

/** The channels of one settings group, one per target, opened on first use. */
export class GrpcClients {
  private readonly byTarget = new Map<string, Client>()
  private readonly options: ChannelOptions
  private readonly credentials: ChannelCredentials

  constructor (private readonly settings: GrpcClientSettings) {
    this.credentials = channelCredentials(settings.tls)
    this.options = {
      'grpc.max_receive_message_length': settings.maxResponseBytes,
      'grpc.max_send_message_length': -1,
      // Tollgate retries on another target itself; grpc-js retrying would hide failures from the balancer.
      'grpc.enable_retries': 0,
      // Reconnect pauses like the TG-RPC client's: a restarted backend is back within about two seconds.
      'grpc.initial_reconnect_backoff_ms': 100,
      'grpc.max_reconnect_backoff_ms': 2_000,
      'grpc-node.max_session_memory': 64,
      'grpc.client_idle_timeout_ms': 300_000,
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': Math.max(settings.connectTimeoutMs, 1_000)
    }
  }

  /** The channel of `target`. */
  forTarget (target: Target): Client {
    let client = this.byTarget.get(target.id)
    if (client === undefined) {
      client = new Client(channelAddress(target), this.credentials, { ...this.options, ...targetNameOptions(this.settings.tls, target) })
      this.byTarget.set(target.id, client)
    }
    return client
  }

  close (): void {
    for (const client of this.byTarget.values()) client.close()
    this.byTarget.clear()
  }
}
