/** Opens the MySQL pool, applies missing migrations and builds the store, from the settings. */
import type { Pool } from 'mysql2/promise'
import { openPool } from './store/pool.js'
import { migrate } from './store/migrate.js'
import { ConfigStore } from './store/config-store.js'
import { loadPluginSchemas } from './plugin-schemas.js'
import type { ControlPlaneSettings } from './settings-schema.js'

export interface OpenedStore {
  readonly pool: Pool
  readonly store: ConfigStore
  /** Migrations applied while opening. */
  readonly migrated: string[]
  /** Refused third-party plugin modules. */
  readonly warnings: string[]
}

export async function openStore (settings: ControlPlaneSettings, baseDir: string = process.cwd()): Promise<OpenedStore> {
  const pool = openPool(settings.mysql)
  try {
    const migrated = await migrate(pool)
    const plugins = await loadPluginSchemas(settings.plugins_dir)
    return { pool, store: new ConfigStore(pool, { baseDir, pluginSchema: plugins.schemaOf }), migrated, warnings: plugins.warnings }
  } catch (error) {
    await pool.end().catch(() => {})
    throw error
  }
}
