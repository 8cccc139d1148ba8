/**
 * A reading schema for the parts of a FileDescriptorSet that protobufjs's descriptor extension
 * drops: the `google.api.http` option of each method (extension 72295728 of MethodOptions, as
 * published in google/api/annotations.proto) and each field's json_name. Field numbers are those of
 * google/protobuf/descriptor.proto and google/api/http.proto; everything else is skipped.
 */
import protobuf from 'protobufjs'

const HTTP_RULE_FIELDS = {
  selector: { type: 'string', id: 1 },
  get: { type: 'string', id: 2 },
  put: { type: 'string', id: 3 },
  post: { type: 'string', id: 4 },
  delete: { type: 'string', id: 5 },
  patch: { type: 'string', id: 6 },
  body: { type: 'string', id: 7 },
  custom: { type: 'CustomHttpPattern', id: 8 },
  additional_bindings: { rule: 'repeated', type: 'HttpRule', id: 11 },
  response_body: { type: 'string', id: 12 }
}

const READING_SCHEMA = {
  nested: {
    reading: {
      nested: {
        FileSet: { fields: { file: { rule: 'repeated', type: 'File', id: 1 } } },
        File: {
          fields: {
            package: { type: 'string', id: 2 },
            message_type: { rule: 'repeated', type: 'Message', id: 4 },
            service: { rule: 'repeated', type: 'Service', id: 6 }
          }
        },
        Message: {
          fields: {
            name: { type: 'string', id: 1 },
            field: { rule: 'repeated', type: 'Field', id: 2 },
            nested_type: { rule: 'repeated', type: 'Message', id: 3 }
          }
        },
        Field: { fields: { name: { type: 'string', id: 1 }, json_name: { type: 'string', id: 10 } } },
        Service: { fields: { name: { type: 'string', id: 1 }, method: { rule: 'repeated', type: 'Method', id: 2 } } },
        Method: { fields: { name: { type: 'string', id: 1 }, options: { type: 'MethodOptions', id: 4 } } },
        MethodOptions: { fields: { http: { type: 'HttpRule', id: 72295728 } } },
        HttpRule: { fields: HTTP_RULE_FIELDS },
        CustomHttpPattern: { fields: { kind: { type: 'string', id: 1 }, path: { type: 'string', id: 2 } } }
      }
    }
  }
}

/** An HTTP rule as written in an annotation (either source form), in original field names. */
export interface HttpRuleSpec {
  get?: string
  put?: string
  post?: string
  delete?: string
  patch?: string
  custom?: { kind?: string, path?: string }
  body?: string
  response_body?: string
  additional_bindings?: HttpRuleSpec[] | HttpRuleSpec
}

interface ReadMessage { name: string, field: Array<{ name: string, json_name: string }>, nested_type: ReadMessage[] }
interface ReadSet {
  file: Array<{
    package: string
    message_type: ReadMessage[]
    service: Array<{ name: string, method: Array<{ name: string, options?: { http?: HttpRuleSpec } }> }>
  }>
}

const fileSetType = protobuf.Root.fromJSON(READING_SCHEMA).lookupType('reading.FileSet')

/** What the descriptor extension leaves out, by full name: rules per `pkg.Service.Method`, json names per `pkg.Message`. */
export interface DescriptorExtras {
  readonly rules: Map<string, HttpRuleSpec>
  readonly jsonNames: Map<string, Map<string, string>>
}

/** Reads the HTTP rules and json names of a FileDescriptorSet. Throws on bytes that are not one. */
export function readDescriptorExtras (bytes: Uint8Array): DescriptorExtras {
  const set = fileSetType.toObject(fileSetType.decode(bytes), { arrays: true, defaults: false }) as ReadSet
  const rules = new Map<string, HttpRuleSpec>()
  const jsonNames = new Map<string, Map<string, string>>()
  for (const file of set.file) {
    const prefix = file.package === undefined || file.package === '' ? '' : file.package + '.'
    for (const service of file.service) {
      for (const method of service.method) {
        const rule = method.options?.http
        if (rule !== undefined) rules.set(`${prefix}${service.name}.${method.name}`, rule)
      }
    }
    const visit = (message: ReadMessage, scope: string): void => {
      const fullName = scope + message.name
      const names = new Map<string, string>()
      for (const field of message.field) if (field.json_name !== undefined && field.json_name !== '') names.set(field.name, field.json_name)
      jsonNames.set(fullName, names)
      for (const nested of message.nested_type) visit(nested, fullName + '.')
    }
    for (const message of file.message_type) visit(message, prefix)
  }
  return { rules, jsonNames }
}
