/**
 * Reads a grpc service's definitions from its config section into a DescriptorSource: inline or
 * file .proto texts with every import they need (found in `import_paths`), or a FileDescriptorSet
 * from a file or base64. Runs where the config is validated; workers get the result as data.
 */
import { readFileSync, statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import protobuf from 'protobufjs'
import { DescriptorError, type DescriptorSource, type ProtoFileSource } from './source.js'

/** The definition settings of a service's `grpc` section. */
export interface DefinitionSettings {
  readonly proto?: string | undefined
  readonly protos?: ReadonlyArray<{ readonly name: string, readonly text: string }> | undefined
  readonly proto_files?: readonly string[] | undefined
  readonly import_paths: readonly string[]
  readonly descriptor_set?: string | undefined
  readonly descriptor_set_file?: string | undefined
}

const SOURCE_KEYS = ['proto', 'protos', 'proto_files', 'descriptor_set', 'descriptor_set_file'] as const
// The name an inline .proto text is known by in problems.
const INLINE_NAME = 'inline.proto'

/** Reads the definitions; throws DescriptorError (path inside the `grpc` section) when they cannot be read. */
export function readDescriptorSource (settings: DefinitionSettings, baseDir: string): DescriptorSource {
  const given = SOURCE_KEYS.filter((key) => settings[key] !== undefined)
  if (given.length !== 1) throw new DescriptorError('', `give exactly one of ${SOURCE_KEYS.join(', ')} (found ${given.length === 0 ? 'none' : given.join(', ')})`)
  if (settings.descriptor_set !== undefined) return { kind: 'descriptor-set', base64: settings.descriptor_set }
  if (settings.descriptor_set_file !== undefined) {
    return { kind: 'descriptor-set', base64: readOrFail(resolve(baseDir, settings.descriptor_set_file), '/descriptor_set_file').toString('base64') }
  }
  const importPaths = settings.import_paths.map((path) => resolve(baseDir, path))
  const files = new Map<string, ProtoFileSource>()
  if (settings.proto !== undefined) files.set(INLINE_NAME, { name: INLINE_NAME, text: settings.proto })
  for (const file of settings.protos ?? []) files.set(file.name, { name: file.name, text: file.text })
  settings.proto_files?.forEach((path, i) => {
    const full = resolve(baseDir, path)
    files.set(path, { name: path, text: readOrFail(full, `/proto_files/${i}`).toString('utf8') })
    importPaths.push(dirname(full))
  })
  const pending = [...files.keys()]
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    for (const imported of importsOf(files.get(name) as ProtoFileSource)) {
      if (files.has(imported) || isBundled(imported)) continue
      const found = importPaths.map((dir) => resolve(dir, imported)).find((path) => canRead(path))
      if (found === undefined) throw new DescriptorError('/import_paths', `'${name}' imports '${imported}', found in none of: ${importPaths.join(', ') || '(no import paths)'}`)
      files.set(imported, { name: imported, text: readFileSync(found, 'utf8') })
      pending.push(imported)
    }
  }
  return { kind: 'proto', files: [...files.values()] }
}

/** Imports protobufjs ships (well-known types) or that only carry annotations. */
function isBundled (name: string): boolean {
  return name in (protobuf.common as unknown as Record<string, unknown>) || name.startsWith('google/api/')
}

function importsOf (file: ProtoFileSource): string[] {
  try {
    const parsed = protobuf.parse(file.text, new protobuf.Root(), { keepCase: true })
    return [...(parsed.imports ?? []), ...(parsed.weakImports ?? [])]
  } catch (error) {
    throw new DescriptorError('', `${file.name}: ${(error as Error).message}`)
  }
}

function readOrFail (path: string, at: string): Buffer {
  try {
    return readFileSync(path)
  } catch (error) {
    throw new DescriptorError(at, `cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`)
  }
}

function canRead (path: string): boolean {
  return statSync(path, { throwIfNoEntry: false })?.isFile() === true
}
