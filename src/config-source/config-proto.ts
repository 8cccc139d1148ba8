import { fileURLToPath } from 'node:url'
import * as grpc from '@grpc/grpc-js'
import * as protoLoader from '@grpc/proto-loader'

/** proto/tollgate/config/v1/config.proto, found from this file (src/ or dist/src/) up to the package root. */
export const CONFIG_PROTO_PATH = fileURLToPath(new URL(
  import.meta.url.includes('/dist/') ? '../../../proto/tollgate/config/v1/config.proto' : '../../proto/tollgate/config/v1/config.proto',
  import.meta.url))

/** Loader options shared by the client and test servers: uint64 as JS numbers, bytes as Buffers, defaults filled. */
export const PROTO_OPTIONS: protoLoader.Options = { keepCase: true, longs: Number, enums: String, defaults: true, bytes: Buffer, oneofs: true }

let loaded: grpc.GrpcObject | undefined

/** The `ConfigService` definitions, loaded once per process. */
export function configServiceDefinition (): grpc.ServiceClientConstructor {
  loaded ??= grpc.loadPackageDefinition(protoLoader.loadSync(CONFIG_PROTO_PATH, PROTO_OPTIONS))
  const v1 = ((loaded.tollgate as grpc.GrpcObject).config as grpc.GrpcObject).v1 as grpc.GrpcObject
  return v1.ConfigService as grpc.ServiceClientConstructor
}

/** Messages as the loader hands them over (snake_case fields, `keepCase`). */
export interface EntityReplyMessage { found: boolean, kind: string, key: string, version: number, body: Buffer, config_version: number }
export interface SnapshotReplyMessage { version: number, document: Buffer }
export interface ChangeMessage { version: number, kind: string, key: string, op: string }
export interface ChangesReplyMessage { changes: ChangeMessage[], complete: boolean, config_version: number }
