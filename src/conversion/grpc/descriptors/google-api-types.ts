/**
 * The google.api files that define types rather than annotations: `google/api/httpbody.proto`.
 * Its one message is published and fixed, so Tollgate carries it (field numbers as published)
 * and a definition that imports the file needs no copy of it, like the well-known types.
 */
import type protobuf from 'protobufjs'

const HTTP_BODY: protobuf.INamespace = {
  nested: {
    google: {
      nested: {
        api: {
          nested: {
            HttpBody: {
              fields: {
                content_type: { type: 'string', id: 1 },
                data: { type: 'bytes', id: 2 },
                extensions: { rule: 'repeated', type: 'google.protobuf.Any', id: 3 }
              }
            }
          }
        }
      }
    }
  }
}

/** The bundled google.api files by import name, each with the well-known file it imports. */
export const GOOGLE_API_TYPES: ReadonlyMap<string, { readonly json: protobuf.INamespace, readonly imports: readonly string[] }> = new Map([
  ['google/api/httpbody.proto', { json: HTTP_BODY, imports: ['google/protobuf/any.proto'] }]
])
