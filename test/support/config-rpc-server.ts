// TEST ONLY: a config RPC service (proto/tollgate/config/v1/config.proto) over an in-memory entity
// map, spoken in real gRPC (@grpc/grpc-js), so the gateway's L3 is tested against the real protocol
// before and besides the control plane. Counts calls per method and key; can be stopped and
// restarted on the same port to simulate an outage.
import * as grpc from '@grpc/grpc-js'
import { configServiceDefinition } from '../../src/config-source/config-proto.js'

export interface TestEntity { version: number, body: unknown }

export class ConfigRpcServer {
  /** Entities by `<kind>:<key>`; a deleted entity is absent. */
  readonly entities = new Map<string, TestEntity>()
  routeTable: { version: number, document: Record<string, unknown> } = { version: 0, document: {} }
  configVersion = 0
  /** Calls by method, and GetEntity calls by `<kind>:<key>`. */
  readonly calls = new Map<string, number>()
  readonly entityCalls = new Map<string, number>()
  /** Added to every answer, ms (a slow service). */
  delayMs = 0
  private server: grpc.Server | undefined
  private boundPort = 0

  static async start (): Promise<ConfigRpcServer> {
    const server = new ConfigRpcServer()
    await server.listen(0)
    return server
  }

  get port (): number { return this.boundPort }

  /** Stops answering (connections refused) until `resume()`. */
  async stop (): Promise<void> {
    const server = this.server
    this.server = undefined
    if (server !== undefined) await new Promise<void>((resolve) => server.tryShutdown(() => resolve()))
    server?.forceShutdown()
  }

  async resume (): Promise<void> {
    await this.listen(this.boundPort)
  }

  callCount (method: string): number {
    return this.calls.get(method) ?? 0
  }

  private async listen (port: number): Promise<void> {
    const server = new grpc.Server()
    const count = (method: string): void => { this.calls.set(method, (this.calls.get(method) ?? 0) + 1) }
    const later = async (): Promise<void> => { if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs)) }
    server.addService(configServiceDefinition().service, {
      GetEntity: (call: grpc.ServerUnaryCall<{ kind: string, key: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        count('GetEntity')
        const id = `${call.request.kind}:${call.request.key}`
        this.entityCalls.set(id, (this.entityCalls.get(id) ?? 0) + 1)
        const entity = this.entities.get(id)
        void later().then(() => callback(null, {
          found: entity !== undefined,
          kind: call.request.kind,
          key: call.request.key,
          version: entity?.version ?? 0,
          body: entity === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(entity.body)),
          config_version: this.configVersion
        }))
      },
      GetSnapshot: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        count('GetSnapshot')
        void later().then(() => callback(null, { version: this.routeTable.version, document: Buffer.from(JSON.stringify(this.routeTable.document)) }))
      },
      GetChanges: (_call: grpc.ServerUnaryCall<unknown, unknown>, callback: grpc.sendUnaryData<unknown>) => {
        count('GetChanges')
        callback({ code: grpc.status.UNIMPLEMENTED, details: 'the test server keeps no change log' } as grpc.ServiceError)
      }
    })
    this.boundPort = await new Promise<number>((resolve, reject) => {
      server.bindAsync(`127.0.0.1:${port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => { if (error !== null) reject(error); else resolve(bound) })
    })
    this.server = server
  }
}
