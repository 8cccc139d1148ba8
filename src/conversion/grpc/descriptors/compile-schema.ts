/**
 * Compiles a service's protobuf definitions (.proto texts or a FileDescriptorSet) into a resolved
 * protobufjs root with original field names (`keepCase`), plus the HTTP rules of its methods.
 * Both the config check and every worker run this; a failure is a config problem.
 */
import protobuf from 'protobufjs'
// Adds Root.fromDescriptor (binary FileDescriptorSet → Root).
import 'protobufjs/ext/descriptor/index.js'
import { DescriptorError, type DescriptorSource, type ProtoFileSource } from './source.js'
import { readDescriptorExtras, type HttpRuleSpec } from './http-rule-schema.js'
import { GOOGLE_API_TYPES } from './google-api-types.js'

/** Compiled definitions: every service by full name (no leading dot) and the annotated rules by `pkg.Service.Method`. */
export interface GrpcSchema {
  readonly root: protobuf.Root
  readonly services: ReadonlyMap<string, protobuf.Service>
  readonly rules: ReadonlyMap<string, HttpRuleSpec>
}

const compiled = new Map<string, GrpcSchema>()

/** Compiles `source` (cached by content: a config reload with the same definitions reuses it). Throws DescriptorError. */
export function compileSchema (source: DescriptorSource): GrpcSchema {
  const key = JSON.stringify(source)
  let schema = compiled.get(key)
  if (schema === undefined) {
    schema = source.kind === 'proto' ? fromProtoFiles(source.files) : fromDescriptorSet(source.base64)
    // A handful of distinct definition sets per process; the bound only guards endless reload churn.
    if (compiled.size >= 64) compiled.clear()
    compiled.set(key, schema)
  }
  return schema
}

function fromProtoFiles (files: readonly ProtoFileSource[]): GrpcSchema {
  const root = new protobuf.Root()
  const byName = new Map(files.map((file) => [file.name, file]))
  const loaded = new Set<string>()
  const load = (name: string, importedBy: string | undefined): void => {
    if (loaded.has(name)) return
    loaded.add(name)
    const common = (protobuf.common as unknown as Record<string, { nested: protobuf.INamespace['nested'] } | undefined>)[name]
    if (common !== undefined) {
      root.addJSON(common.nested ?? {})
      return
    }
    const bundled = GOOGLE_API_TYPES.get(name)
    if (bundled !== undefined) {
      for (const imported of bundled.imports) load(imported, name)
      root.addJSON(bundled.json.nested ?? {})
      return
    }
    // google.api annotations are options; the parser keeps them as written, no definition needed.
    if (name.startsWith('google/api/')) return
    const file = byName.get(name)
    if (file === undefined) throw new DescriptorError('', `${importedBy ?? 'the config'} imports '${name}', which is not found in import_paths`)
    let parsed: protobuf.IParserResult
    try {
      parsed = protobuf.parse(file.text, root, { keepCase: true })
    } catch (error) {
      throw new DescriptorError('', `${name}: ${(error as Error).message}`)
    }
    for (const imported of [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]) load(imported, name)
  }
  for (const file of files) load(file.name, undefined)
  resolve(root)
  const services = collectServices(root)
  const rules = new Map<string, HttpRuleSpec>()
  for (const [name, service] of services) {
    for (const method of service.methodsArray) {
      const rule = annotatedRule(method)
      if (rule !== undefined) rules.set(`${name}.${method.name}`, rule)
    }
  }
  return { root, services, rules }
}

function fromDescriptorSet (base64: string): GrpcSchema {
  const bytes = Buffer.from(base64, 'base64')
  let root: protobuf.Root
  let extras: ReturnType<typeof readDescriptorExtras>
  try {
    extras = readDescriptorExtras(bytes)
    root = (protobuf.Root as unknown as { fromDescriptor: (bytes: Uint8Array) => protobuf.Root }).fromDescriptor(bytes)
  } catch (error) {
    throw new DescriptorError('', `not a FileDescriptorSet: ${(error as Error).message}`)
  }
  resolve(root)
  for (const [typeName, names] of extras.jsonNames) {
    const type = root.lookup(typeName)
    if (!(type instanceof protobuf.Type)) continue
    for (const [fieldName, jsonName] of names) type.fields[fieldName]?.setOption('json_name', jsonName)
  }
  return { root, services: collectServices(root), rules: extras.rules }
}

function resolve (root: protobuf.Root): void {
  try {
    root.resolveAll()
  } catch (error) {
    throw new DescriptorError('', `unresolvable definitions: ${(error as Error).message}`)
  }
}

function collectServices (root: protobuf.Root): Map<string, protobuf.Service> {
  const services = new Map<string, protobuf.Service>()
  const visit = (ns: protobuf.NamespaceBase): void => {
    for (const nested of ns.nestedArray) {
      if (nested instanceof protobuf.Service) services.set(nested.fullName.slice(1), nested)
      if (nested instanceof protobuf.Namespace || nested instanceof protobuf.Type) visit(nested)
    }
  }
  visit(root)
  return services
}

function annotatedRule (method: protobuf.Method): HttpRuleSpec | undefined {
  for (const option of method.parsedOptions ?? []) {
    const rule = (option as Record<string, unknown>)['(google.api.http)']
    if (rule !== undefined) return rule as HttpRuleSpec
  }
  return undefined
}
