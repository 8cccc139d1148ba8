/**
 * Protobuf definitions of a grpc service as the resolved config carries them: plain data (IPC
 * safe), read from files once by the process that validates the config, compiled by each worker.
 */

/** One .proto file: its import name (what `import "..."` statements say) and its text. */
export interface ProtoFileSource {
  readonly name: string
  readonly text: string
}

/** Either .proto texts (the first `entries` are the service's own files, the rest their imports) or a binary FileDescriptorSet. */
export type DescriptorSource =
  | { readonly kind: 'proto', readonly files: readonly ProtoFileSource[], readonly entries: readonly string[] }
  | { readonly kind: 'descriptor-set', readonly base64: string }

/** Why a set of definitions cannot be used; `path` is relative to the service's `grpc` section. */
export class DescriptorError extends Error {
  constructor (readonly path: string, reason: string) {
    super(reason)
    this.name = 'DescriptorError'
  }
}
