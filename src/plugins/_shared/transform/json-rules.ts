import { JsonCodecError, rawJson, type JsonDocument, type JsonPath, type RawJson } from '../../../codec/json/index.js'
import { parseBodyPath } from './body-path.js'
import type { BodyRulesConfig, BodyValueConfig } from './schema.js'

interface ValueRule { readonly path: JsonPath, readonly value: RawJson }

/** JSON body rules with parsed paths and values kept as JSON text, ready for the request path. */
export interface BodyRules {
  readonly remove: readonly JsonPath[]
  readonly rename: ReadonlyArray<{ readonly from: JsonPath, readonly to: JsonPath }>
  readonly set: readonly ValueRule[]
  readonly add: readonly ValueRule[]
  /** False when there is no rule at all: the body is never read. */
  readonly any: boolean
}

/**
 * A config value becomes JSON text once, here: `json` as written (exact 64-bit numbers), `value`
 * through JSON.stringify (which never escapes `/`).
 */
function valueRule (rule: BodyValueConfig): ValueRule {
  const text = rule.json ?? JSON.stringify(rule.value)
  return { path: parseBodyPath(rule.path), value: rawJson(Buffer.from(text, 'utf8')) }
}

export function compileBodyRules (config: BodyRulesConfig): BodyRules {
  const rules = {
    remove: config.remove.map(parseBodyPath),
    rename: config.rename.map((r) => ({ from: parseBodyPath(r.from), to: parseBodyPath(r.to) })),
    set: config.set.map(valueRule),
    add: config.add.map(valueRule)
  }
  return { ...rules, any: rules.remove.length + rules.rename.length + rules.set.length + rules.add.length > 0 }
}

/**
 * Runs one edit; a rule that does not fit this body (its parent is missing, or a step meets a value
 * of another kind) is skipped rather than failing the request. Other codec errors are bugs: rethrown.
 */
function tryEdit (edit: () => unknown): void {
  try {
    edit()
  } catch (error) {
    if (error instanceof JsonCodecError && (error.code === 'TG_JSON_PATH_NOT_FOUND' || error.code === 'TG_JSON_WRONG_KIND')) return
    throw error
  }
}

function samePath (a: JsonPath, b: JsonPath): boolean {
  return a.length === b.length && a.every((step, i) => step === b[i])
}

/**
 * Applies the rules to a scanned body in order: remove, rename, set, add. Bytes outside the edited
 * fields stay as they were (the codec's emit contract). Returns true when the document changed.
 */
export function applyBodyRules (rules: BodyRules, doc: JsonDocument): boolean {
  for (const path of rules.remove) tryEdit(() => doc.delete(path))
  for (const { from, to } of rules.rename) {
    const value = doc.get(from)
    if (value === undefined || samePath(from, to)) continue
    // Set first, so a `to` whose parent is missing leaves `from` in place.
    tryEdit(() => {
      doc.set(to, value)
      doc.delete(from)
    })
  }
  for (const { path, value } of rules.set) tryEdit(() => doc.set(path, value))
  for (const { path, value } of rules.add) if (!doc.has(path)) tryEdit(() => doc.set(path, value))
  return doc.changed
}

/** Whether a Content-Type names JSON: `application/json` or any `+json` type, parameters ignored. */
export function isJsonContentType (header: string | undefined): boolean {
  if (header === undefined) return false
  const semicolon = header.indexOf(';')
  const media = (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase()
  return media === 'application/json' || (media.startsWith('application/') && media.endsWith('+json'))
}
