import * as grpc from '@grpc/grpc-js'
import type { RpcSettings } from '../config/schema/config-source.js'
import { configServiceDefinition, type EntityReplyMessage, type SnapshotReplyMessage } from './config-proto.js'
import type { StoredEntity } from './entity.js'
import type { RouteTableDocument } from './l2-redis.js'
import type { LevelHealth } from './level-health.js'
import type { ConfigSourceStats } from './stats.js'

type UnaryMethod = (request: object, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, reply: unknown) => void) => void

/**
 * L3: the config RPC service over gRPC. Each call has a short deadline, so a dead or slow service
 * costs a load at most `deadline_ms`; failures report to `health` (one warn per outage).
 */
export class L3Rpc {
  private readonly client: grpc.Client

  constructor (private readonly settings: RpcSettings, private readonly health: LevelHealth, private readonly stats: ConfigSourceStats) {
    const Service = configServiceDefinition()
    // Reconnects are cheap and the deadline bounds every call; keep the backoff short so a
    // restarted service is used again within about a second.
    this.client = new Service(`${settings.host}:${settings.port}`, grpc.credentials.createInsecure(), {
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000
    })
  }

  /**
   * An entity; `found: false` is a tombstone when it carries the delete's version, undefined when
   * the key never existed (version 0). Throws when the service fails.
   */
  async entity (kind: string, key: string): Promise<StoredEntity | undefined> {
    const reply = await this.call<EntityReplyMessage>('GetEntity', { kind, key }, this.settings.deadline_ms)
    if (!reply.found) return reply.version > 0 ? { version: reply.version, deleted: true, body: undefined, bytes: 0 } : undefined
    const text = reply.body.toString('utf8')
    return { version: reply.version, deleted: false, body: JSON.parse(text) as unknown, bytes: reply.body.length }
  }

  /** The newest route table. Throws when the service fails. */
  async routeTable (): Promise<RouteTableDocument> {
    const reply = await this.call<SnapshotReplyMessage>('GetSnapshot', { min_version: 0 }, this.settings.snapshot_deadline_ms)
    const document = JSON.parse(reply.document.toString('utf8')) as unknown
    if (typeof document !== 'object' || document === null) throw new Error('GetSnapshot answered a document that is not an object')
    return { version: reply.version, document: document as Record<string, unknown> }
  }

  close (): void {
    this.client.close()
  }

  private async call<T> (method: string, request: object, deadlineMs: number): Promise<T> {
    this.stats.l3Calls++
    const fn = (this.client as unknown as Record<string, UnaryMethod>)[method]
    if (fn === undefined) throw new Error(`the config service has no method ${method}`)
    try {
      const reply = await new Promise<T>((resolve, reject) => {
        fn.call(this.client, request, { deadline: Date.now() + deadlineMs }, (error, value) => {
          if (error !== null) reject(error)
          else resolve(value as T)
        })
      })
      this.health.succeeded()
      return reply
    } catch (error) {
      this.health.failed(error)
      throw error
    }
  }
}
