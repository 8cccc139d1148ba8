/** Cross checks of gRPC services and the routes that call them: definitions that load, methods and fields that exist. */
import type { RouteEntry } from '../schema/route.js'
import type { ServiceEntry } from '../schema/service.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'
import { readDescriptorSource } from '../../conversion/grpc/descriptors/read-sources.js'
import { compileSchema, type GrpcSchema } from '../../conversion/grpc/descriptors/compile-schema.js'
import { DescriptorError, normalisedDefinitions, type NormalisedDefinitions } from '../../conversion/grpc/descriptors/source.js'
import { annotatedBindings, routeBinding } from '../../conversion/grpc/http-rules/bindings.js'

const DEFINITION_KEYS = ['proto', 'protos', 'proto_files', 'descriptor_set', 'descriptor_set_file'] as const

/**
 * Loads and compiles the definitions of every grpc service (unreadable files, parse errors,
 * unresolvable types, unknown `services`, bad annotations are problems), then checks each route
 * to a grpc service: its `grpc` mapping names an existing unary method and fields, or the service
 * has annotations to route by. Returns the normalised definitions by service id (texts and
 * imports inline, or the descriptor set in base64), for the resolved config.
 */
export function checkGrpcServices (
  services: ReadonlyArray<Item<ServiceEntry>>, routes: ReadonlyArray<Item<RouteEntry>>, baseDir: string, problems: ProblemList
): Map<string, NormalisedDefinitions> {
  const sources = new Map<string, NormalisedDefinitions>()
  const schemas = new Map<string, { schema: GrpcSchema, annotated: number | undefined }>()
  for (const { at, entry } of services) {
    if (entry.protocol !== 'grpc') {
      for (const key of DEFINITION_KEYS) if (entry.grpc[key] !== undefined) problems.add(`${at}/grpc/${key}`, `service '${entry.id}' speaks ${entry.protocol}, not grpc`)
      continue
    }
    const report = (error: unknown): void => {
      if (!(error instanceof DescriptorError)) throw error
      problems.add(`${at}/grpc${error.path}`, error.message)
    }
    let schema: GrpcSchema
    try {
      const source = readDescriptorSource(entry.grpc, baseDir)
      schema = compileSchema(source)
      sources.set(entry.id, normalisedDefinitions(source))
    } catch (error) {
      report(error)
      continue
    }
    // Routes with their own mapping are still checked when the annotations are not usable.
    let annotated: number | undefined
    try {
      annotated = annotatedBindings(schema, entry.grpc.services).length
    } catch (error) {
      report(error)
    }
    schemas.set(entry.id, { schema, annotated })
  }
  const protocols = new Map(services.map(({ entry }) => [entry.id, entry.protocol]))
  for (const { at, entry } of routes) {
    const protocol = protocols.get(entry.service)
    if (protocol === undefined) continue
    if (protocol !== 'grpc') {
      if (entry.grpc !== undefined) problems.add(`${at}/grpc`, `service '${entry.service}' speaks ${protocol}, not grpc`)
      continue
    }
    const compiled = schemas.get(entry.service)
    if (compiled === undefined) continue
    if (entry.grpc === undefined) {
      if (compiled.annotated === 0) problems.add(at, `route to gRPC service '${entry.service}' needs a grpc mapping (service and method): its definitions have no google.api.http annotations`)
      continue
    }
    try {
      routeBinding(compiled.schema, entry.grpc)
    } catch (error) {
      if (!(error instanceof DescriptorError)) throw error
      problems.add(`${at}/grpc${error.path}`, error.message)
    }
  }
  return sources
}
