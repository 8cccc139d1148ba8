/**
 * `tollgate config export -c cp.yaml [-o FILE]` and `tollgate config import -c cp.yaml FILE`:
 * between the YAML file format and the control plane's database. Import validates the whole file
 * first (as `tollgate validate` does) and replaces the stored configuration in one transaction.
 */
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { formatProblems } from '../config/problems.js'
import { loadGatewayConfig } from '../server/load-config.js'
import { openStore } from '../control-plane/open-store.js'
import { exportDocument, importDocument } from '../control-plane/store/document-transfer.js'
import { documentToYaml } from '../control-plane/store/export-yaml.js'
import { requireSettings } from './control-plane-settings.js'

async function exportCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, output: { type: 'string', short: 'o' } }, strict: true })
  const { pool } = await openStore(requireSettings(values.config))
  try {
    const { version, document } = await exportDocument(pool)
    const yaml = documentToYaml(document, version)
    if (values.output === undefined || values.output === '-') process.stdout.write(yaml)
    else {
      writeFileSync(values.output, yaml)
      process.stderr.write(`exported config version ${version} to ${values.output}\n`)
    }
    return 0
  } finally {
    await pool.end()
  }
}

async function importCommand (args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true, allowPositionals: true })
  const file = positionals[0]
  if (file === undefined || positionals.length > 1) throw new Error('expected exactly one FILE to import')
  const settings = requireSettings(values.config)
  const loaded = await loadGatewayConfig(file)
  if (!loaded.ok) {
    process.stderr.write(`${formatProblems(loaded.problems)}\n${loaded.problems.length} problem(s); nothing imported\n`)
    return 1
  }
  const { pool } = await openStore(settings)
  try {
    const s = await importDocument(pool, loaded.config)
    process.stdout.write(`imported ${file}: ${s.created} created, ${s.updated} updated, ${s.deleted} deleted, ${s.unchanged} unchanged; config version ${s.version}\n`)
    return 0
  } finally {
    await pool.end()
  }
}

/** `tollgate config <export|import> …`. */
export async function configCommand (args: string[]): Promise<number> {
  const [sub, ...rest] = args
  if (sub === 'export') return await exportCommand(rest)
  if (sub === 'import') return await importCommand(rest)
  throw new Error(`expected 'config export' or 'config import' (got ${sub === undefined ? 'nothing' : `'${sub}'`})`)
}
