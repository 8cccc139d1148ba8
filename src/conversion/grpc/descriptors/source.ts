/**
 * Protobuf definitions of a grpc service as the resolved config carries them: plain data (IPC
 * safe), read from files once by the process that validates the config, compiled by each worker.
 */

/** One .proto file: its import name (what `import "..."` statements say) and its text. */
export interface ProtoFileSource {
  readonly name: string
  readonly text: string
}

/** Either .proto texts (every import among them, or bundled) or a binary FileDescriptorSet. */
export type DescriptorSource =
  | { readonly kind: 'proto', readonly files: readonly ProtoFileSource[] }
  | { readonly kind: 'descriptor-set', readonly base64: string }

/** The normalised definitions of a service's `grpc` section: what the config carries after loading. */
export interface NormalisedDefinitions {
  readonly protos?: readonly ProtoFileSource[]
  readonly descriptor_set?: string
}

/** The source of a normalised `grpc` section (`protos` or `descriptor_set`). */
export function definitionSource (grpc: NormalisedDefinitions): DescriptorSource {
  if (grpc.descriptor_set !== undefined) return { kind: 'descriptor-set', base64: grpc.descriptor_set }
  return { kind: 'proto', files: grpc.protos ?? [] }
}

/** The normalised `grpc` definitions of a source. */
export function normalisedDefinitions (source: DescriptorSource): NormalisedDefinitions {
  return source.kind === 'proto' ? { protos: source.files } : { descriptor_set: source.base64 }
}

/** Why a set of definitions cannot be used; `path` is relative to the service's `grpc` section. */
export class DescriptorError extends Error {
  constructor (readonly path: string, reason: string) {
    super(reason)
    this.name = 'DescriptorError'
  }
}
