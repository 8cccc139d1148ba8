/**
 * Environment variables in the configuration file: `${NAME}` and `${NAME:-default}` in string
 * values, substituted after YAML parsing (keys are never substituted). See README.md.
 *
 * Types: substitution always produces a string. Only when a whole scalar is exactly one reference
 * (`port: ${PORT}`) and the schema expects a number, an integer or a boolean at that place is the
 * text converted (`"8080"` → 8080, `"true"` → true); everywhere else Ajv's type check applies as
 * usual. This keeps a numeric-looking password a string while letting ports and flags come from
 * the environment. Plugin configs use the plugin's schema for the same decision.
 */
import type { TSchema } from '@sinclair/typebox'
import { ConfigDocumentSchema } from './schema/document.js'
import { escapePointerSegment, pointerSegments } from './problems.js'

/** Where environment values come from; `process.env` by default. */
export type Environment = Readonly<Record<string, string | undefined>>

/** The result of substitution: the new tree, problems found, and pointers of whole-scalar references. */
export interface Substitution {
  readonly value: unknown
  readonly problems: Array<{ path: string, reason: string }>
  /** JSON pointers of strings that were exactly one `${...}` reference (candidates for number/boolean). */
  readonly wholeReferences: string[]
}

const REFERENCE = /\$\$\{|\$\{([^}]*)\}|\$\{/g
const BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s
const WHOLE = /^\$\{[^}]*\}$/

/** Substitutes one string; pushes a reason per bad reference. `$${` stands for a literal `${`. */
function substituteString (text: string, env: Environment, reasons: string[]): string {
  return text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (match === '$${') return '${'
    if (body === undefined) {
      reasons.push("unclosed '${' (write '$${' for a literal '${')")
      return match
    }
    const parts = BODY.exec(body)
    if (parts === null) {
      reasons.push(`malformed reference '${match}': expected \${NAME} or \${NAME:-default}, NAME of letters, digits and _`)
      return match
    }
    const name = parts[1] as string
    const fallback = parts[2]
    const value = env[name]
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value
    if (value === undefined) {
      reasons.push(`environment variable ${name} is not set (write \${${name}:-default} to give a default)`)
      return match
    }
    return value
  })
}

/** Substitutes references in every string value of `tree` (a parsed YAML document). */
export function substituteEnv (tree: unknown, env: Environment): Substitution {
  const problems: Array<{ path: string, reason: string }> = []
  const wholeReferences: string[] = []
  const walk = (node: unknown, path: string): unknown => {
    if (typeof node === 'string') {
      if (!node.includes('${')) return node
      const reasons: string[] = []
      const value = substituteString(node, env, reasons)
      for (const reason of reasons) problems.push({ path, reason })
      if (reasons.length === 0 && WHOLE.test(node)) wholeReferences.push(path)
      return value
    }
    if (Array.isArray(node)) return node.map((item, i) => walk(item, `${path}/${i}`))
    if (typeof node === 'object' && node !== null) {
      const out: Record<string, unknown> = {}
      for (const [key, value] of Object.entries(node)) out[key] = walk(value, `${path}/${escapePointerSegment(key)}`)
      return out
    }
    return node
  }
  return { value: walk(tree, ''), problems, wholeReferences }
}

function child (schema: TSchema | undefined, segment: string): TSchema | undefined {
  if (schema === undefined) return undefined
  if (schema.type === 'array') return schema.items as TSchema | undefined
  const properties = schema.properties as Record<string, TSchema> | undefined
  const fromProperties = properties?.[segment]
  if (fromProperties !== undefined) return fromProperties
  const additional = schema.additionalProperties as TSchema | boolean | undefined
  if (typeof additional === 'object') return additional
  const patterns = Object.values((schema.patternProperties ?? {}) as Record<string, TSchema>)
  return patterns.length === 1 ? patterns[0] : undefined
}

/** The schema that applies at `segments` of `doc`, switching to the plugin's schema under `/plugins/N/config`. */
function schemaAt (doc: unknown, segments: string[], pluginSchema: (name: string) => TSchema | undefined): TSchema | undefined {
  let schema: TSchema | undefined = ConfigDocumentSchema
  let node: unknown = doc
  for (const [i, segment] of segments.entries()) {
    if (i === 2 && segments[0] === 'plugins' && segment === 'config') {
      const name = (node as { name?: unknown } | null)?.name
      schema = typeof name === 'string' ? pluginSchema(name) : undefined
    } else {
      schema = child(schema, segment)
    }
    node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined
  }
  return schema
}

function convert (text: string, schema: TSchema | undefined): unknown {
  const type = schema?.type
  if ((type === 'integer' && /^-?\d+$/.test(text)) || (type === 'number' && /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text))) {
    const n = Number(text)
    return Number.isSafeInteger(n) || (type === 'number' && Number.isFinite(n)) ? n : text
  }
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true'
  return text
}

/** Converts whole-scalar references to numbers or booleans where the schema expects them (in place). */
export function coerceWholeReferences (doc: unknown, paths: readonly string[], pluginSchema: (name: string) => TSchema | undefined): void {
  for (const path of paths) {
    const segments = pointerSegments(path)
    const last = segments.pop()
    if (last === undefined) continue
    let parent: unknown = doc
    for (const segment of segments) parent = (parent as Record<string, unknown>)[segment]
    const value = (parent as Record<string, unknown>)[last]
    if (typeof value !== 'string') continue
    ;(parent as Record<string, unknown>)[last] = convert(value, schemaAt(doc, [...segments, last], pluginSchema))
  }
}
