/**
 * Validates one write with the same schemas and cross checks as the YAML file. A route-table
 * write is checked inside the whole stored route table with the change applied (so a route's
 * service must exist, a path may not be routed twice, a service still referenced may not be
 * deleted); a merchant write on its own plus the credentials index (an API key names one
 * merchant). The result is the normalised body to store, or every problem with its JSON path
 * relative to the request body.
 */
import type { RowDataPacket } from 'mysql2/promise'
import type { TSchema } from '@sinclair/typebox'
import { validateConfig } from '../../config/validate.js'
import type { ConfigProblem } from '../../config/problems.js'
import { credentialKeysOf } from './credential-keys.js'
import { LIST_OF, readRouteTable, type Body } from './route-table.js'
import type { EntityKind } from './kinds.js'
import type { PluginBindingConfig } from '../../config/gateway-config.js'
import { bindingKey, storedBinding } from './document-transfer.js'
import type { Queryable } from './rows.js'

export interface ValidationContext {
  /** Names the request in problems, e.g. `PUT /routes/r1`. */
  readonly source: string
  readonly baseDir: string
  readonly pluginSchema: (name: string) => TSchema | undefined
}

export type WriteValidation =
  | { readonly ok: true, readonly body: Body }
  | { readonly ok: false, readonly problems: ConfigProblem[] }

type RouteTableKind = 'service' | 'route' | 'plugin' | 'certificate' | 'gateway'

/**
 * Problems at `prefix` become relative to the body; others are another entity broken by this
 * change. Pointers into the validated document inside a reason ("already bound … by /plugins/1")
 * become the admin API path of that entity ("/plugins/key-auth@route:api").
 */
function relativeProblems (problems: readonly ConfigProblem[], prefix: string, doc: Record<string, unknown>): ConfigProblem[] {
  const describe = entityAt(doc)
  return problems.map((p) => {
    const reason = adminPathsIn(p.reason, doc)
    if (p.path === prefix || p.path.startsWith(prefix + '/')) return { ...p, path: p.path.slice(prefix.length), reason }
    return { ...p, path: '', reason: `${describe(p.path)}: ${reason}` }
  })
}

const DOCUMENT_POINTER = /\/(services|routes|plugins|certificates|merchants)\/(\d+)(?=$|[\s,;:)])/g

function adminPathsIn (reason: string, doc: Record<string, unknown>): string {
  return reason.replace(DOCUMENT_POINTER, (pointer, list: string, index: string) => {
    const item = (doc[list] as Body[] | undefined)?.[Number(index)]
    if (item === undefined) return pointer
    return `/${list}/${list === 'plugins' ? bindingKey(item) : String(item.id)}`
  })
}

/** `/routes/3/service` → `route 'orders' (/service)`, naming the entity this change would break. */
function entityAt (doc: Record<string, unknown>): (path: string) => string {
  return (path) => {
    const match = /^\/(services|routes|plugins|certificates|merchants)\/(\d+)(.*)$/.exec(path)
    if (match === null) return path === '' ? 'the configuration' : path
    const list = doc[match[1] as string] as Array<{ id?: string }>
    const id = list[Number(match[2])]?.id ?? `#${match[2] ?? ''}`
    return `${(match[1] as string).slice(0, -1)} '${id}' (${match[3] === '' ? '/' : match[3] ?? ''})`
  }
}

async function liveMerchantIds (db: Queryable, ids: string[]): Promise<string[]> {
  if (ids.length === 0) return []
  const [rows] = await db.query<RowDataPacket[]>('SELECT id FROM merchants WHERE deleted = 0 AND id IN (?)', [ids])
  return rows.map((r) => String(r.id))
}

/** Validates a route-table write (`body` undefined = delete) against the stored route table. */
async function validateRouteTableWrite (db: Queryable, kind: RouteTableKind, key: string, body: Body | undefined, context: ValidationContext): Promise<WriteValidation> {
  const table = await readRouteTable(db)
  const doc: Record<string, unknown> = { ...table }
  let prefix = '/gateway'
  if (kind === 'gateway') {
    doc.gateway = body ?? {}
  } else {
    const listName = LIST_OF[kind]
    const list = table[listName].filter((item) => (kind === 'plugin' ? bindingKey(item) : item.id) !== key)
    // The changed entity goes last, so duplicates (paths, SNIs, ids) are reported at it.
    if (body !== undefined) list.push(body)
    doc[listName] = list
    prefix = body === undefined ? '/-' : `/${listName}/${list.length - 1}`
  }
  const referenced = [...new Set((doc.plugins as Body[]).map((p) => p.merchant).filter((m): m is string => typeof m === 'string'))]
  doc.merchants = (await liveMerchantIds(db, referenced)).map((id) => ({ id }))
  const result = validateConfig(doc, { file: context.source, baseDir: context.baseDir, pluginSchema: context.pluginSchema })
  if (!result.ok) return { ok: false, problems: relativeProblems(result.problems, prefix, doc) }
  if (body === undefined) return { ok: true, body: {} }
  if (kind === 'gateway') return { ok: true, body: result.config.gateway as unknown as Body }
  const normalised = result.config[LIST_OF[kind]].at(-1) as unknown as Body
  if (kind === 'plugin') return { ok: true, body: storedBinding(normalised as unknown as PluginBindingConfig) }
  return { ok: true, body: normalised }
}

/** Validates a merchant write: the merchant alone, then API keys against other merchants' keys. */
async function validateMerchantWrite (db: Queryable, key: string, body: Body, context: ValidationContext): Promise<WriteValidation> {
  const result = validateConfig({ merchants: [body] }, { file: context.source, baseDir: context.baseDir, pluginSchema: context.pluginSchema })
  if (!result.ok) return { ok: false, problems: relativeProblems(result.problems, '/merchants/0', { merchants: [body] }) }
  const merchant = result.config.merchants[0] as unknown as Body & { id: string }
  const keys = credentialKeysOf(merchant)
  if (keys.size === 0) return { ok: true, body: merchant }
  const [rows] = await db.query<RowDataPacket[]>('SELECT id, merchant_id FROM credentials WHERE deleted = 0 AND merchant_id <> ? AND id IN (?)', [key, [...keys.keys()]])
  const problems = rows.map((row): ConfigProblem => ({
    file: context.source,
    path: `/credentials/api_keys/${keys.get(String(row.id)) ?? 0}/key`,
    reason: `this API key already belongs to merchant '${String(row.merchant_id)}'; API keys must be unique`
  }))
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body: merchant }
}

/** A merchant may not be deleted while plugin bindings name it. */
async function validateMerchantDelete (db: Queryable, key: string, context: ValidationContext): Promise<WriteValidation> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT id FROM plugins WHERE deleted = 0 AND merchant_id = ? ORDER BY position, id', [key])
  const problems = rows.map((row): ConfigProblem => ({
    file: context.source, path: '', reason: `plugin '${String(row.id)}' (/merchant): is bound to this merchant; delete or rebind it first`
  }))
  return problems.length > 0 ? { ok: false, problems } : { ok: true, body: {} }
}

/**
 * Validates writing `body` (undefined: deleting) as `kind`/`key`. `body.id` must already equal
 * `key` (the caller sets it). Reads run on `db`, which should be the write's own transaction.
 */
export async function validateWrite (db: Queryable, kind: EntityKind, key: string, body: Body | undefined, context: ValidationContext): Promise<WriteValidation> {
  switch (kind) {
    case 'merchant':
      return body === undefined ? await validateMerchantDelete(db, key, context) : await validateMerchantWrite(db, key, body, context)
    case 'credential':
      throw new Error('credentials are written with their merchant, never on their own')
    default:
      return await validateRouteTableWrite(db, kind, key, body, context)
  }
}

/**
 * The body to validate for `key`: its `id` set to `key`, or refused when it names another id. A
 * binding keyed by its derived id (`name@scope`, never a written id) stores no id and must keep
 * the name and scope that derive that key.
 */
export function bodyForKey (kind: EntityKind, key: string, body: Body, source: string): WriteValidation {
  if (kind === 'gateway') return { ok: true, body }
  const problem = (path: string, reason: string): WriteValidation => ({ ok: false, problems: [{ file: source, path, reason }] })
  if (kind === 'plugin' && key.includes('@')) {
    const { id, ...rest } = body
    if (id !== undefined && id !== key) return problem('/id', `must be absent or '${key}'`)
    const derived = bindingKey(rest)
    return derived === key ? { ok: true, body: rest } : problem('', `the binding '${key}' has a derived id, so its name and scope cannot change (this body derives '${derived}')`)
  }
  if (body.id !== undefined && body.id !== key) return problem('/id', `must be '${key}', the id in the URL (got ${JSON.stringify(body.id)})`)
  return { ok: true, body: { ...body, id: key } }
}
