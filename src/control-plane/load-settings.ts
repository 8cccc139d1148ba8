/** Reads the control plane's settings file: YAML, `${ENV}` references, schema with defaults. */
import { readFileSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import { parseConfigYaml } from '../config/load-yaml.js'
import { substituteEnv } from '../config/env-substitution.js'
import { problemsFromAjv, validatorFor } from '../config/ajv.js'
import type { ConfigProblem } from '../config/problems.js'
import { ControlPlaneSettingsSchema, type ControlPlaneSettings } from './settings-schema.js'

export type SettingsResult =
  | { readonly ok: true, readonly settings: ControlPlaneSettings }
  | { readonly ok: false, readonly problems: ConfigProblem[] }

/** Validates parsed settings (defaults filled in); `plugins_dir` is made absolute from `baseDir`. */
export function validateSettings (value: unknown, file: string, baseDir: string): SettingsResult {
  const settings = structuredClone(value ?? {}) as Record<string, unknown>
  const validate = validatorFor(ControlPlaneSettingsSchema, 'entity')
  if (!validate(settings)) return { ok: false, problems: problemsFromAjv(validate.errors, file) }
  const typed = settings as ControlPlaneSettings
  return { ok: true, settings: typed.plugins_dir === undefined ? typed : { ...typed, plugins_dir: resolve(baseDir, typed.plugins_dir) } }
}

/** Loads `path`; never throws for a bad file. */
export function loadSettingsFile (path: string, env: Readonly<Record<string, string | undefined>> = process.env): SettingsResult {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    return { ok: false, problems: [{ file: path, path: '', reason: `cannot read the file: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}` }] }
  }
  const parsed = parseConfigYaml(text, path)
  if (!parsed.ok) return parsed
  const substituted = substituteEnv(parsed.value, env)
  if (substituted.problems.length > 0) return { ok: false, problems: substituted.problems.map((p) => ({ file: path, ...p })) }
  return validateSettings(substituted.value, path, dirname(resolve(path)))
}
