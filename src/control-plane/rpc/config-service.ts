/**
 * The config RPC service (proto/tollgate/config/v1/config.proto): the only reader of MySQL for
 * gateways. Bodies go out as the JSON bytes stored; a missing entity is `found: false`.
 */
import { Server, ServerCredentials, status, type sendUnaryData, type ServerUnaryCall } from '@grpc/grpc-js'
import type { Pool } from 'mysql2/promise'
import type { Logger } from '../../kit/logger.js'
import { isEntityKind } from '../store/kinds.js'
import { readRow } from '../store/rows.js'
import { readConfigVersion } from '../store/route-table.js'
import { changesAfter } from '../store/changes.js'
import { loadConfigService } from './load-service.js'
import { SnapshotCache } from './snapshot-cache.js'

const DEFAULT_CHANGES_LIMIT = 1000
const MAX_CHANGES_LIMIT = 10_000

interface GetEntityRequest { kind: string, key: string }
interface GetSnapshotRequest { min_version: number }
interface GetChangesRequest { after_version: number, limit: number }

export interface RpcServer {
  readonly port: number
  close (): Promise<void>
}

/** Runs `answer`; a thrown error becomes a gRPC status (UNAVAILABLE for a database failure). */
function unary<Req, Res> (log: Logger, name: string, answer: (request: Req) => Promise<Res>) {
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>): void => {
    answer(call.request).then((reply) => callback(null, reply), (error: Error & { grpcCode?: status }) => {
      if (error.grpcCode !== undefined) return callback({ code: error.grpcCode, details: error.message })
      log.warn({ err: error, rpc: name }, 'config RPC failed')
      callback({ code: status.UNAVAILABLE, details: `the configuration database failed: ${error.message}` })
    })
  }
}

function invalidArgument (message: string): Error {
  return Object.assign(new Error(message), { grpcCode: status.INVALID_ARGUMENT })
}

export async function startRpcServer (pool: Pool, options: { host: string, port: number, log: Logger }): Promise<RpcServer> {
  const snapshots = new SnapshotCache(pool)
  const server = new Server({ 'grpc.max_send_message_length': 256 * 1024 * 1024 })
  const { log } = options
  server.addService(loadConfigService().service, {
    GetEntity: unary(log, 'GetEntity', async (request: GetEntityRequest) => {
      if (!isEntityKind(request.kind)) throw invalidArgument(`unknown kind '${request.kind}'`)
      if (request.key === '') throw invalidArgument('key is required')
      const entity = await readRow(pool, request.kind, request.key)
      const configVersion = await readConfigVersion(pool)
      const found = entity !== undefined && !entity.deleted
      return {
        found,
        kind: request.kind,
        key: request.key,
        // A tombstone still tells its version, so a cache can drop loads older than the delete.
        version: entity?.version ?? 0,
        body: found ? Buffer.from(entity.body ?? '', 'utf8') : Buffer.alloc(0),
        config_version: configVersion
      }
    }),
    GetSnapshot: unary(log, 'GetSnapshot', async (_request: GetSnapshotRequest) => {
      const snapshot = await snapshots.newest()
      return { version: snapshot.version, document: snapshot.bytes }
    }),
    GetChanges: unary(log, 'GetChanges', async (request: GetChangesRequest) => {
      const limit = request.limit === 0 ? DEFAULT_CHANGES_LIMIT : Math.min(request.limit, MAX_CHANGES_LIMIT)
      const page = await changesAfter(pool, request.after_version, limit)
      return {
        changes: page.changes.map(({ version, kind, key, op }) => ({ version, kind, key, op })),
        complete: page.complete,
        config_version: page.configVersion
      }
    })
  })
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host.includes(':') ? `[${options.host}]` : options.host}:${options.port}`, ServerCredentials.createInsecure(), (error, bound) => {
      if (error !== null) reject(error)
      else resolve(bound)
    })
  })
  return {
    port,
    close: () => new Promise((resolve) => {
      const force = setTimeout(() => server.forceShutdown(), 5_000)
      server.tryShutdown(() => { clearTimeout(force); resolve() })
    })
  }
}
