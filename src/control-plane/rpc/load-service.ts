/** Loads the ConfigService definition from the .proto (field names as written: `config_version`). */
import { loadPackageDefinition, type GrpcObject, type ServiceClientConstructor } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { CONFIG_PROTO_PATH } from './proto-path.js'

/** The generated client constructor; its `.service` is the definition a server adds. */
export function loadConfigService (): ServiceClientConstructor {
  // uint64 versions as JS numbers: they stay far below 2^53 (one per configuration write).
  const definition = loadSync(CONFIG_PROTO_PATH, { keepCase: true, longs: Number, defaults: true, oneofs: true })
  const root = loadPackageDefinition(definition)
  const v1 = ((root.tollgate as GrpcObject).config as GrpcObject).v1 as GrpcObject
  return v1.ConfigService as ServiceClientConstructor
}
