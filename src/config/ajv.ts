/**
 * The Ajv set-up shared by the config validators: `allErrors` (every problem at once),
 * `useDefaults` (defaults filled in while validating), no type coercion, Tollgate's formats, and
 * the translation of Ajv errors into `ConfigProblem`s with readable reasons.
 */
import { isIP } from 'node:net'
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from 'ajv'
import formatsPlugin from 'ajv-formats'
import type { TSchema } from '@sinclair/typebox'
import { FORMAT, REASONS } from './schema/typedefs.js'
import { isJsonText } from './json-text.js'
import { escapePointerSegment, type ConfigProblem } from './problems.js'

const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const HOSTNAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`)
const HOSTNAME_PATTERN = new RegExp(`^(?:\\*\\.)?${LABEL}(?:\\.${LABEL})*$`)
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'])

function isCidr (value: string): boolean {
  const slash = value.indexOf('/')
  if (slash === -1) return isIP(value) !== 0
  const family = isIP(value.slice(0, slash))
  const bits = value.slice(slash + 1)
  if (family === 0 || !/^\d{1,3}$/.test(bits)) return false
  return Number(bits) <= (family === 4 ? 32 : 128)
}

function newAjv (options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, useDefaults: true, coerceTypes: false, verbose: true, ...options })
  // ajv-formats is CommonJS: under NodeNext the default import is `module.exports`, whose
  // `default` property is the plugin (it sets both).
  formatsPlugin.default(ajv)
  ajv.addFormat(FORMAT.host, (v: string) => isIP(v) !== 0 || HOSTNAME.test(v))
  ajv.addFormat(FORMAT.hostnamePattern, (v: string) => HOSTNAME_PATTERN.test(v))
  ajv.addFormat(FORMAT.cidr, isCidr)
  ajv.addFormat(FORMAT.httpMethod, (v: string) => METHODS.has(v.toUpperCase()))
  ajv.addFormat(FORMAT.json, isJsonText)
  return ajv
}

/** Strict for Tollgate's own schemas, so a schema mistake fails the tests. */
const entityAjv = newAjv({ strict: true })
/** Lenient for plugin schemas (third-party plugins may carry extra keywords). */
const pluginAjv = newAjv({ strict: false })
const compiled = new WeakMap<TSchema, ValidateFunction>()

/**
 * A validator for `schema`, compiled once per schema object. Validators mutate the value they
 * check (defaults). Throws Ajv's error when a plugin schema does not compile.
 */
export function validatorFor (schema: TSchema, kind: 'entity' | 'plugin'): ValidateFunction {
  let validate = compiled.get(schema)
  if (validate === undefined) {
    validate = (kind === 'entity' ? entityAjv : pluginAjv).compile(schema)
    compiled.set(schema, validate)
  }
  return validate
}

function describe (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)
  if (typeof value === 'object') return 'an object'
  return String(value)
}

function closest (name: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1
  for (const candidate of candidates) {
    const d = editDistance(name.toLowerCase(), candidate.toLowerCase())
    if (d < bestDistance) { best = candidate; bestDistance = d }
  }
  return best
}

function editDistance (a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    const current = [i]
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1))
    }
    previous = current
  }
  return previous[b.length] ?? 0
}

/** Turns one Ajv error into a path (JSON pointer under `prefix`) and a reason. */
function toProblem (error: ErrorObject, prefix: string): { path: string, reason: string } {
  const at = prefix + error.instancePath
  const params = error.params as Record<string, unknown>
  switch (error.keyword) {
    case 'additionalProperties': {
      const name = String(params.additionalProperty)
      const known = Object.keys((error.parentSchema?.properties ?? {}) as Record<string, unknown>)
      const guess = closest(name, known)
      return { path: `${at}/${escapePointerSegment(name)}`, reason: `unknown property '${name}'` + (guess === undefined ? '' : ` (did you mean '${guess}'?)`) }
    }
    case 'required':
      return { path: `${at}/${escapePointerSegment(String(params.missingProperty))}`, reason: 'is required' }
    case 'type':
      return { path: at, reason: `must be ${String(params.type).replace(/^[aeiou]/, 'an $&').replace(/^(?!an )/, 'a ')} (got ${describe(error.data)})` }
    case 'enum':
      return { path: at, reason: `must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')} (got ${describe(error.data)})` }
    case 'pattern':
      return { path: at, reason: REASONS[String(params.pattern)] ?? `must match the pattern ${String(params.pattern)}` }
    case 'format':
      return { path: at, reason: (REASONS[String(params.format)] ?? `must be a valid ${String(params.format)}`) + ` (got ${describe(error.data)})` }
    case 'minimum': case 'maximum': case 'exclusiveMinimum': case 'exclusiveMaximum':
      return { path: at, reason: `${error.message ?? 'out of range'} (got ${describe(error.data)})` }
    case 'minItems':
      return { path: at, reason: `must have at least ${String(params.limit)} item(s)` }
    case 'minLength':
      return { path: at, reason: `must be at least ${String(params.limit)} character(s) long` }
    case 'maxLength':
      return { path: at, reason: `must be at most ${String(params.limit)} characters long` }
    default:
      return { path: at, reason: error.message ?? `fails the '${error.keyword}' rule` }
  }
}

/** Converts Ajv errors into problems under `prefix` (a JSON pointer), dropping duplicates. */
export function problemsFromAjv (errors: readonly ErrorObject[] | null | undefined, file: string, prefix = ''): ConfigProblem[] {
  const seen = new Set<string>()
  const problems: ConfigProblem[] = []
  for (const error of errors ?? []) {
    const { path, reason } = toProblem(error, prefix)
    const key = path + '\0' + reason
    if (seen.has(key)) continue
    seen.add(key)
    problems.push({ file, path, reason })
  }
  return problems
}
