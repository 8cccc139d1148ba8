/** `tollgate migrate -c control-plane.yaml`: applies the missing schema migrations and exits. */
import { parseArgs } from 'node:util'
import { openPool } from '../control-plane/store/pool.js'
import { migrate } from '../control-plane/store/migrate.js'
import { requireSettings } from './control-plane-settings.js'

export async function migrateCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true })
  const settings = requireSettings(values.config)
  const pool = openPool(settings.mysql)
  try {
    const applied = await migrate(pool)
    process.stdout.write(applied.length === 0 ? 'schema is current\n' : `applied: ${applied.join(', ')}\n`)
    return 0
  } finally {
    await pool.end()
  }
}
