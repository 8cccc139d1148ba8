/**
 * One grpc-js channel (Client) per backend target, so Tollgate's balancer picks the host and
 * grpc-js only carries the call. Calls use raw bytes in both directions: the gateway encodes and
 * decodes messages itself, with no generated code.
 */
import { readFileSync } from 'node:fs'
import { Client, credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js'
import type { ServiceConfig } from '../../config/gateway-config.js'
import type { Target } from '../../upstream/transport/transport.js'

/** Channel settings of a grpc service; services with equal settings share channels. */
export interface GrpcClientSettings {
  readonly maxResponseBytes: number
  readonly connectTimeoutMs: number
  /** TLS to the targets; undefined for plain-text HTTP/2. */
  readonly tls: { readonly verify: boolean, readonly servername?: string, readonly ca?: string } | undefined
}

/** Settings of `service`'s channels (a CA file is read here, once per config version). */
export function grpcClientSettings (service: ServiceConfig): GrpcClientSettings {
  const tls = service.tls
  return {
    maxResponseBytes: service.grpc.max_response_bytes,
    connectTimeoutMs: service.timeouts.connect_ms,
    tls: !service.grpc.tls
      ? undefined
      : {
          verify: tls.verify,
          ...(tls.servername === undefined ? {} : { servername: tls.servername }),
          ...(tls.ca_file === undefined ? {} : { ca: readFileSync(tls.ca_file, 'utf8') })
        }
  }
}

function channelCredentials (tls: GrpcClientSettings['tls']): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure()
  const ca = tls.ca === undefined ? null : Buffer.from(tls.ca)
  // verify: false trusts any certificate and name, as for https services.
  return credentials.createSsl(ca, null, null, tls.verify ? {} : { rejectUnauthorized: false, checkServerIdentity: () => undefined })
}

/** Passes bytes through: messages are encoded before the call and decoded after it. */
export const rawBytes = (bytes: Buffer): Buffer => bytes

/** The channels of one settings group, one per target, opened on first use. */
export class GrpcClients {
  private readonly byTarget = new Map<string, Client>()
  private readonly options: ChannelOptions
  private readonly credentials: ChannelCredentials

  constructor (settings: GrpcClientSettings) {
    this.credentials = channelCredentials(settings.tls)
    this.options = {
      ...(settings.tls?.servername === undefined ? {} : { 'grpc.ssl_target_name_override': settings.tls.servername, 'grpc.default_authority': settings.tls.servername }),
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
      const host = target.host.includes(':') && !target.host.startsWith('[') ? `[${target.host}]` : target.host
      client = new Client(`${host}:${target.port}`, this.credentials, this.optionsFor(target))
      this.byTarget.set(target.id, client)
    }
    return client
  }

  /**
   * A target resolved from a host name (src/upstream/dns/) is connected to by address but named by
   * its host name: the :authority, and the TLS name checked unless `tls.servername` says otherwise.
   */
  private optionsFor (target: Target): ChannelOptions {
    if (target.hostName === undefined || this.options['grpc.ssl_target_name_override'] !== undefined) return this.options
    return { ...this.options, 'grpc.ssl_target_name_override': target.hostName, 'grpc.default_authority': target.hostName }
  }

  close (): void {
    for (const client of this.byTarget.values()) client.close()
    this.byTarget.clear()
  }
}
