import { dirname, resolve } from 'node:path'
import { readFileSync } from 'node:fs'
import type { TSchema } from '@sinclair/typebox'
import { loadConfigFile } from '../config/load-yaml.js'
import type { ConfigProblem } from '../config/problems.js'
import type { GatewayConfig } from '../config/gateway-config.js'
import { parseConfigYaml } from '../config/load-yaml.js'
import type { PluginDefinition } from '../kit/plugin.js'
import { BUNDLED_PLUGINS } from '../plugins/registry.js'
import { loadThirdPartyPlugins } from '../plugins/load-third-party.js'

type AnyPlugin = PluginDefinition<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** The plugins a config may bind: the bundled ones and those of its `plugins_dir`. */
export class PluginSet {
  private readonly byName = new Map<string, AnyPlugin>()
  constructor (plugins: Iterable<AnyPlugin>) {
    for (const plugin of plugins) this.byName.set(plugin.name, plugin)
  }

  find (name: string): AnyPlugin | undefined {
    return this.byName.get(name)
  }

  readonly schemaOf = (name: string): TSchema | undefined => this.byName.get(name)?.schema
}

/**
 * A refused third-party plugin does not refuse the config: it is reported as a warning and a
 * binding that names it fails validation as an unknown plugin.
 */
export type LoadedConfig =
  | { ok: true, config: GatewayConfig, plugins: PluginSet, warnings: ConfigProblem[] }
  | { ok: false, problems: ConfigProblem[], warnings: ConfigProblem[] }

const bundledNames = new Set(BUNDLED_PLUGINS.map((p) => p.name))

/** Reads `gateway.plugins_dir` from the raw file, before validation needs the plugin schemas. */
function pluginsDirOf (path: string): string | undefined {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch {
    return undefined
  }
  const parsed = parseConfigYaml(text, path)
  if (!parsed.ok) return undefined
  const dir = (parsed.value as { gateway?: { plugins_dir?: unknown } } | null)?.gateway?.plugins_dir
  return typeof dir === 'string' ? resolve(dirname(path), dir) : undefined
}

/**
 * Loads and validates a config file with every plugin it may use (third-party ones imported from
 * its `plugins_dir`). All problems come back at once; nothing is applied here.
 */
export async function loadGatewayConfig (path: string): Promise<LoadedConfig> {
  const absolute = resolve(path)
  const dir = pluginsDirOf(absolute)
  const warnings: ConfigProblem[] = []
  let plugins: AnyPlugin[] = [...BUNDLED_PLUGINS]
  if (dir !== undefined) {
    const loaded = await loadThirdPartyPlugins(dir, bundledNames)
    plugins = plugins.concat(loaded.plugins)
    for (const problem of loaded.problems) warnings.push({ file: problem.file, path: '', reason: problem.reason })
  }
  const set = new PluginSet(plugins)
  const result = loadConfigFile(absolute, set.schemaOf)
  if (!result.ok) return { ok: false, problems: result.problems, warnings }
  return { ok: true, config: result.config, plugins: set, warnings }
}
