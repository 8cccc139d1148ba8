/**
 * Import and export between the YAML file format and the database. The database holds the
 * normalised form the file validates to (defaults filled in, PEMs inline, binding ids set), so
 * `export(import(file))` is the file's normalised document, and importing an export changes nothing.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Pool } from 'mysql2/promise'
import type { GatewayConfig, PluginBindingConfig } from '../../config/gateway-config.js'
import { derivedBindingId } from '../../config/checks/plugins.js'
import { consistentRead } from './consistent-read.js'
import { GATEWAY_SETTINGS_KEY, type EntityKind } from './kinds.js'
import { readConfigVersion, readRouteTable, type Body } from './route-table.js'
import { readLiveRows } from './rows.js'
import { inWriteTransaction, type WriteTransaction } from './write-transaction.js'
import { syncCredentials } from './credentials-index.js'

/** The file's entity lists as stored (plugin bindings without the derived `scope`). */
export interface StoredDocument {
  gateway: Body
  services: Body[]
  routes: Body[]
  merchants: Body[]
  plugins: Body[]
  certificates: Body[]
}

/**
 * A binding as stored: without the derived `scope`, and without `id` when the id is the derived
 * one (derived ids contain `@`, which the file format refuses in a written id).
 */
export function storedBinding (binding: PluginBindingConfig): Body {
  const { scope: _scope, id, ...rest } = binding
  return (id === derivedBindingId(binding) ? rest : { id, ...rest }) as unknown as Body
}

/** A validated config in its stored form. */
export function toStoredDocument (config: GatewayConfig): StoredDocument {
  const plain = JSON.parse(JSON.stringify(config)) as GatewayConfig
  return {
    gateway: plain.gateway as unknown as Body,
    services: plain.services as unknown as Body[],
    routes: plain.routes as unknown as Body[],
    merchants: plain.merchants as unknown as Body[],
    plugins: plain.plugins.map(storedBinding),
    certificates: plain.certificates as unknown as Body[]
  }
}

/** Everything stored, at one version. */
export function exportDocument (pool: Pool): Promise<{ version: number, document: StoredDocument }> {
  return consistentRead(pool, async (connection) => {
    const table = await readRouteTable(connection)
    const merchants = (await readLiveRows(connection, 'merchant')).map((row) => JSON.parse(row.body ?? '{}') as Body)
    const document: StoredDocument = {
      gateway: table.gateway,
      services: table.services,
      routes: table.routes,
      merchants,
      plugins: table.plugins,
      certificates: table.certificates
    }
    return { version: await readConfigVersion(connection), document }
  })
}

export interface ImportSummary {
  created: number
  updated: number
  deleted: number
  unchanged: number
  /** The config version after the import; the previous one when nothing changed. */
  version: number
}

/** The key of a stored binding: its id, given or derived. */
export function bindingKey (binding: Body): string {
  return typeof binding.id === 'string' ? binding.id : derivedBindingId(binding as unknown as PluginBindingConfig)
}

type ListKind = 'service' | 'route' | 'plugin' | 'certificate' | 'merchant'
const LISTS: ReadonlyArray<[ListKind, keyof StoredDocument]> = [
  ['service', 'services'], ['route', 'routes'], ['plugin', 'plugins'], ['certificate', 'certificates'], ['merchant', 'merchants']
]

/** Makes one kind's live entities exactly `items`, in that order. */
async function replaceList (tx: WriteTransaction, kind: ListKind, items: Body[], summary: ImportSummary): Promise<void> {
  const existing = new Map((await readLiveRows(tx.connection, kind)).map((row) => [row.key, row]))
  for (const [index, item] of items.entries()) {
    const key = kind === 'plugin' ? bindingKey(item) : String(item.id)
    const row = existing.get(key)
    existing.delete(key)
    const position = index + 1
    if (row !== undefined && row.position === position && isDeepStrictEqual(JSON.parse(row.body ?? 'null'), item)) {
      summary.unchanged++
      continue
    }
    await tx.upsert(kind, key, item, row ?? await tx.read(kind, key), position)
    if (kind === 'merchant') await syncCredentials(tx, key, item as Body & { id: string })
    if (row === undefined) summary.created++
    else summary.updated++
  }
  for (const key of existing.keys()) {
    await tx.remove(kind, key)
    if (kind === 'merchant') await syncCredentials(tx, key, undefined)
    summary.deleted++
  }
}

/**
 * Replaces the stored configuration with `config` (already validated as a whole, so references
 * hold in the end state), in one transaction and one version. Entities equal to the stored ones
 * keep their versions; entities absent from `config` are deleted.
 */
export async function importDocument (pool: Pool, config: GatewayConfig): Promise<ImportSummary> {
  const document = toStoredDocument(config)
  const summary: ImportSummary = { created: 0, updated: 0, deleted: 0, unchanged: 0, version: 0 }
  const { version } = await inWriteTransaction(pool, async (tx) => {
    summary.version = tx.currentVersion
    const settings = await tx.read('gateway', GATEWAY_SETTINGS_KEY)
    const live = settings !== undefined && !settings.deleted ? settings : undefined
    if (live !== undefined && isDeepStrictEqual(JSON.parse(live.body ?? 'null'), document.gateway)) summary.unchanged++
    else {
      await tx.upsert('gateway' satisfies EntityKind, GATEWAY_SETTINGS_KEY, document.gateway, settings, 1)
      if (live === undefined) summary.created++
      else summary.updated++
    }
    for (const [kind, list] of LISTS) await replaceList(tx, kind, document[list] as Body[], summary)
  })
  if (version !== undefined) summary.version = version
  return summary
}
