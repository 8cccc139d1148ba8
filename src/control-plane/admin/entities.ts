/** Generic CRUD for the entity collections: services, routes, merchants, plugins, certificates. */
import { ID_PATTERN } from '../../config/schema/typedefs.js'
import { bindingKey } from '../store/document-transfer.js'
import { LIST_FILTERS, decodeCursor, listEntities } from '../store/listing.js'
import type { EntityKind } from '../store/kinds.js'
import type { WriteMode } from '../store/config-store.js'
import type { AdminContext } from './context.js'
import { AdminError, invalid, type AdminReply, type Exchange } from './exchange.js'
import { outcomeReply } from './outcome.js'
import { etagOf, ifMatch } from './versions.js'

/** URL collection → entity kind. */
export const COLLECTIONS: Readonly<Record<string, EntityKind>> = {
  services: 'service',
  routes: 'route',
  merchants: 'merchant',
  plugins: 'plugin',
  certificates: 'certificate'
}

const MAX_LIMIT = 1000
const DEFAULT_LIMIT = 100
const ID = new RegExp(ID_PATTERN)
/** A binding's derived id: `<plugin>@<scope>` (see src/config/checks/plugins.ts). */
const DERIVED_BINDING_ID = /^[a-z][a-z0-9_-]{0,63}@(?:global|(?:service|route|merchant):[A-Za-z0-9._-]+(?:\+merchant:[A-Za-z0-9._-]+)?)$/

/** The key in the URL, refused early when it can never name an entity of `kind`. */
export function keyFromUrl (kind: EntityKind, key: string): string {
  if (ID.test(key) || (kind === 'plugin' && DERIVED_BINDING_ID.test(key))) return key
  throw new AdminError('TG_ADMIN_NOT_FOUND', `'${key}' is not a valid ${kind} id`)
}

export async function listCollection (ex: Exchange, ctx: AdminContext, kind: EntityKind): Promise<AdminReply> {
  const params = ex.url.searchParams
  const limitText = params.get('limit')
  const limit = limitText === null ? DEFAULT_LIMIT : Number(limitText)
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw new AdminError('TG_ADMIN_BAD_QUERY', `limit must be a whole number from 1 to ${MAX_LIMIT}`)
  const cursor = params.get('cursor') ?? undefined
  if (cursor !== undefined && decodeCursor(cursor) === undefined) throw new AdminError('TG_ADMIN_BAD_QUERY', 'cursor must be a next_cursor returned by this API')
  const filters: Record<string, string> = {}
  const allowed = LIST_FILTERS[kind] ?? {}
  for (const [name, value] of params) {
    if (name === 'limit' || name === 'cursor') continue
    if (allowed[name] === undefined) {
      const known = Object.keys(allowed)
      throw new AdminError('TG_ADMIN_BAD_QUERY', `unknown filter '${name}'; ${kind} lists filter on ${known.length === 0 ? 'nothing' : known.join(', ')}`)
    }
    filters[name] = value
  }
  const page = await listEntities(ctx.store.pool, kind, { limit, cursor, filters })
  return {
    status: 200,
    body: {
      items: page.items.map((e) => ({ version: e.version, body: JSON.parse(e.body ?? 'null') as unknown })),
      next_cursor: page.nextCursor ?? null
    }
  }
}

export async function getEntity (ctx: AdminContext, kind: EntityKind, key: string, location: string): Promise<AdminReply> {
  const entity = await ctx.store.get(kind, key)
  if (entity === undefined || entity.deleted) throw new AdminError('TG_ADMIN_NOT_FOUND', `${location} does not exist`)
  return { status: 200, body: JSON.parse(entity.body ?? 'null') as unknown, headers: { etag: etagOf(entity.version) } }
}

/** PUT (create or replace; `If-Match: *` = replace only) and POST (create only). */
export async function writeEntity (ex: Exchange, ctx: AdminContext, kind: EntityKind, key: string | undefined, mode: WriteMode): Promise<AdminReply> {
  const body = await ex.jsonObject()
  const match = ifMatch(ex)
  let id = key
  if (id === undefined) {
    if (kind === 'plugin') id = typeof body.id === 'string' ? body.id : bindingKey(body)
    else if (typeof body.id === 'string') id = body.id
    else throw invalid([{ file: '', path: '/id', reason: 'is required' }])
    if (!ID.test(id) && !(kind === 'plugin' && DERIVED_BINDING_ID.test(id))) throw invalid([{ file: '', path: kind === 'plugin' && body.id === undefined ? '/name' : '/id', reason: 'does not give a valid id' }])
  }
  const location = `/${collectionOf(kind)}/${encodeURIComponent(id)}`
  const outcome = await ctx.store.put(kind, id, body, {
    mode: match === 'exists' ? 'replace' : mode,
    ifVersion: typeof match === 'number' ? match : undefined,
    source: `${ex.method} ${location}`
  })
  return outcomeReply(outcome, location)
}

export async function deleteEntity (ex: Exchange, ctx: AdminContext, kind: EntityKind, key: string): Promise<AdminReply> {
  const match = ifMatch(ex)
  const location = `/${collectionOf(kind)}/${encodeURIComponent(key)}`
  const outcome = await ctx.store.delete(kind, key, { ifVersion: typeof match === 'number' ? match : undefined, source: `DELETE ${location}` })
  return outcomeReply(outcome, location)
}

export function collectionOf (kind: EntityKind): string {
  return Object.entries(COLLECTIONS).find(([, k]) => k === kind)?.[0] ?? kind
}
