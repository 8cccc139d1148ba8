import { readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { PluginDefinition } from '../kit/plugin.js'
import { PHASE_METHODS } from '../kit/plugin.js'

/** A plugin module that could not be loaded, named so the operator can find it. */
export interface PluginLoadProblem {
  readonly file: string
  readonly reason: string
}

type AnyPlugin = PluginDefinition<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any

const NAME = /^[a-z][a-z0-9_-]{0,63}$/
const OPTIONAL_FUNCTIONS = ['compile', 'destroy', ...PHASE_METHODS] as const

/** Checks a module's default export against the plugin contract; returns every broken rule. */
export function contractProblems (candidate: unknown): string[] {
  if (candidate === null || typeof candidate !== 'object') return ['the default export is not a plugin object']
  const plugin = candidate as Record<string, unknown>
  const problems: string[] = []
  if (typeof plugin.name !== 'string' || !NAME.test(plugin.name)) problems.push('name must be a lower-case string like "my-plugin"')
  if (typeof plugin.version !== 'string' || plugin.version === '') problems.push('version must be a non-empty string')
  if (typeof plugin.priority !== 'number' || !Number.isInteger(plugin.priority)) problems.push('priority must be an integer')
  if (plugin.schema === null || typeof plugin.schema !== 'object') problems.push('schema must be a JSON schema object')
  for (const method of OPTIONAL_FUNCTIONS) {
    if (plugin[method] !== undefined && typeof plugin[method] !== 'function') problems.push(`${method} must be a function when present`)
  }
  if (!PHASE_METHODS.some((method) => typeof plugin[method] === 'function')) problems.push('the plugin implements no phase method')
  return problems
}

/**
 * Loads third-party plugins: every `*.js`/`*.mjs` file and every folder with an `index.js` in
 * `dir`, each an ES module whose default export follows the bundled plugins' contract. A module
 * that fails to import, breaks the contract or reuses a bundled name is refused by name; the
 * others load.
 */
export async function loadThirdPartyPlugins (dir: string, bundledNames: ReadonlySet<string>): Promise<{ plugins: AnyPlugin[], problems: PluginLoadProblem[] }> {
  const plugins: AnyPlugin[] = []
  const problems: PluginLoadProblem[] = []
  let entries: string[]
  try {
    entries = readdirSync(dir).sort()
  } catch (error) {
    return { plugins, problems: [{ file: dir, reason: `cannot read the plugins folder: ${(error as Error).message}` }] }
  }
  const seen = new Set<string>()
  for (const entry of entries) {
    const path = join(dir, entry)
    const file = statSync(path).isDirectory() ? join(path, 'index.js') : path
    if (file === path && !/\.(m?js)$/.test(entry)) continue
    let module: { default?: unknown }
    try {
      module = await import(pathToFileURL(file).href) as { default?: unknown }
    } catch (error) {
      problems.push({ file, reason: `cannot import: ${(error as Error).message}` })
      continue
    }
    const broken = contractProblems(module.default)
    const plugin = module.default as AnyPlugin
    if (broken.length === 0 && bundledNames.has(plugin.name)) broken.push(`name '${plugin.name}' is taken by a bundled plugin`)
    if (broken.length === 0 && seen.has(plugin.name)) broken.push(`name '${plugin.name}' is used by another module in ${dir}`)
    if (broken.length > 0) {
      problems.push({ file, reason: `plugin ${typeof plugin?.name === 'string' ? `'${plugin.name}' ` : ''}refused: ${broken.join('; ')}` })
      continue
    }
    seen.add(plugin.name)
    plugins.push(plugin)
  }
  return { plugins, problems }
}
