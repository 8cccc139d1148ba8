/**
 * `loadConfigFile`: the `file` config source's reader. Reads the YAML file, reports syntax errors
 * with line and column (duplicate keys included), substitutes environment variables, then runs
 * `validateConfig` with relative paths resolved from the file's folder.
 */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseDocument } from 'yaml'
import type { TSchema } from '@sinclair/typebox'
import { validateConfig, type ValidationResult } from './validate.js'
import { coerceWholeReferences, substituteEnv, type Environment } from './env-substitution.js'
import type { ConfigProblem } from './problems.js'

export { formatProblems } from './problems.js'

/** Options of `loadConfigFile`. */
export interface LoadOptions {
  /** Environment for `${NAME}` references; default `process.env`. */
  readonly env?: Environment
}

/** After the first few syntax errors the parser mostly reports consequences of them. */
const MAX_YAML_ERRORS = 3

/** `Map keys must be unique at line 2, column 1:\n\n…` → `Map keys must be unique`. */
function shortMessage (message: string): string {
  const at = message.indexOf(' at line ')
  return at === -1 ? (message.split('\n')[0] ?? message) : message.slice(0, at)
}

/** Parses YAML text into plain data; problems carry the line and column. */
export function parseConfigYaml (text: string, file: string): { ok: true, value: unknown } | { ok: false, problems: ConfigProblem[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true })
  if (doc.errors.length > 0) {
    const problems = doc.errors.slice(0, MAX_YAML_ERRORS).map((error) => {
      const pos = error.linePos?.[0]
      const where = pos === undefined ? '' : ` at line ${pos.line}, column ${pos.col}`
      return { file, path: '', reason: `YAML syntax error${where}: ${shortMessage(error.message)}` }
    })
    const more = doc.errors.length - MAX_YAML_ERRORS
    if (more > 0) problems.push({ file, path: '', reason: `${more} more YAML errors follow from the first ones` })
    return { ok: false, problems }
  }
  if (doc.contents === null) return { ok: false, problems: [{ file, path: '', reason: 'the file is empty; expected a mapping with gateway, services, routes, ...' }] }
  return { ok: true, value: doc.toJS({ maxAliasCount: 100 }) as unknown }
}

/**
 * Loads and validates a configuration file. Never throws for a bad file: an unreadable file,
 * YAML syntax errors, unset environment variables and every validation problem come back as
 * problems (`file` is the path as given). Synchronous: it runs in the primary at start and reload.
 */
export function loadConfigFile (path: string, pluginSchema: (name: string) => TSchema | undefined, options: LoadOptions = {}): ValidationResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    return { ok: false, problems: [{ file: path, path: '', reason: `cannot read the file: ${code}` }] }
  }
  const parsed = parseConfigYaml(text, path)
  if (!parsed.ok) return parsed
  const substituted = substituteEnv(parsed.value, options.env ?? process.env)
  coerceWholeReferences(substituted.value, substituted.wholeReferences, pluginSchema)
  const result = validateConfig(substituted.value, { file: path, baseDir: dirname(resolve(path)), pluginSchema })
  if (substituted.problems.length === 0) return result
  // Report bad references together with the rest, minus the follow-up problems of the values
  // they left unsubstituted.
  const envProblems = substituted.problems.map((p) => ({ file: path, ...p }))
  const inside = (p: ConfigProblem): boolean => envProblems.some((e) => p.path === e.path || p.path.startsWith(e.path + '/'))
  return { ok: false, problems: [...envProblems, ...(result.ok ? [] : result.problems.filter((p) => !inside(p)))] }
}
