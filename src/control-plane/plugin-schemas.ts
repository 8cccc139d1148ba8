/** The plugin schemas bindings are validated with: the bundled plugins and those of `plugins_dir`. */
import type { TSchema } from '@sinclair/typebox'
import { BUNDLED_PLUGINS } from '../plugins/registry.js'
import { loadThirdPartyPlugins } from '../plugins/load-third-party.js'
import { PluginSet } from '../server/load-config.js'

export interface PluginSchemas {
  readonly schemaOf: (name: string) => TSchema | undefined
  /** Third-party modules refused, one line each (bindings naming them fail as unknown plugins). */
  readonly warnings: string[]
}

export async function loadPluginSchemas (pluginsDir: string | undefined): Promise<PluginSchemas> {
  if (pluginsDir === undefined) return { schemaOf: new PluginSet(BUNDLED_PLUGINS).schemaOf, warnings: [] }
  const loaded = await loadThirdPartyPlugins(pluginsDir, new Set(BUNDLED_PLUGINS.map((p) => p.name)))
  return {
    schemaOf: new PluginSet([...BUNDLED_PLUGINS, ...loaded.plugins]).schemaOf,
    warnings: loaded.problems.map((p) => `${p.file}: ${p.reason}`)
  }
}
