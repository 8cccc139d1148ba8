/** What the request path needs of a grpc service, compiled once per config version. */
import type { ServiceConfig } from '../../config/gateway-config.js'
import { definitionSource } from './descriptors/source.js'
import { compileSchema, type GrpcSchema } from './descriptors/compile-schema.js'
import { annotatedBindings, type GrpcBinding } from './http-rules/bindings.js'
import type { GrpcClients } from './clients.js'

export interface GrpcServiceRuntime {
  readonly schema: GrpcSchema
  readonly clients: GrpcClients
  /** The annotated bindings, most specific first (routes without a `grpc` mapping use them). */
  readonly bindings: readonly GrpcBinding[]
  /** Lower-case request headers sent as metadata. */
  readonly forwardHeaders: readonly string[]
  readonly ignoredQuery: ReadonlySet<string>
}

/** Compiles a validated grpc service (its definitions were checked when the config was validated). */
export function compileGrpcService (service: ServiceConfig, clients: GrpcClients): GrpcServiceRuntime {
  const schema = compileSchema(definitionSource(service.grpc))
  return {
    schema,
    clients,
    bindings: annotatedBindings(schema, service.grpc.services),
    forwardHeaders: service.grpc.forward_headers.map((name) => name.toLowerCase()),
    ignoredQuery: new Set(service.grpc.ignored_query_parameters)
  }
}
