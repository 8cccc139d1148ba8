/** Pages through the live entities of a kind, in list order, with optional column filters. */
import type { RowDataPacket } from 'mysql2/promise'
import { TABLE_OF, type EntityKind } from './kinds.js'
import { toStoredEntity, type Queryable, type StoredEntity } from './rows.js'

/** The filters each kind accepts: query parameter → column. */
export const LIST_FILTERS: Readonly<Partial<Record<EntityKind, Readonly<Record<string, string>>>>> = {
  route: { service: 'service_id' },
  plugin: { name: 'name', route: 'route_id', service: 'service_id', merchant: 'merchant_id' },
  merchant: { status: 'status' }
}

export interface ListQuery {
  /** Most items returned (1..1000). */
  readonly limit: number
  /** The `next_cursor` of the previous page; absent for the first page. */
  readonly cursor?: string
  /** Filter parameter → exact value; only names in `LIST_FILTERS[kind]`. */
  readonly filters?: Readonly<Record<string, string>>
}

export interface ListPage {
  readonly items: StoredEntity[]
  /** Absent on the last page. */
  readonly nextCursor?: string
}

/** An opaque cursor: the (position, id) of the last item returned. */
function encodeCursor (entity: StoredEntity): string {
  return Buffer.from(JSON.stringify([entity.position, entity.key])).toString('base64url')
}

/** The (position, id) of a cursor, or undefined when it is not one this API issued. */
export function decodeCursor (cursor: string): [number, string] | undefined {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && value.length === 2 && Number.isSafeInteger(value[0]) && typeof value[1] === 'string') return [value[0] as number, value[1]]
  } catch {
    // not base64url JSON: not one of ours
  }
  return undefined
}

/** One page; throws on an unknown filter or a malformed cursor (the caller validates first). */
export async function listEntities (db: Queryable, kind: EntityKind, query: ListQuery): Promise<ListPage> {
  const where = ['deleted = 0']
  const params: unknown[] = []
  for (const [name, value] of Object.entries(query.filters ?? {})) {
    const column = LIST_FILTERS[kind]?.[name]
    if (column === undefined) throw new Error(`unknown filter '${name}' for ${kind}`)
    where.push(`${column} = ?`)
    params.push(value)
  }
  if (query.cursor !== undefined) {
    const after = decodeCursor(query.cursor)
    if (after === undefined) throw new Error('malformed cursor')
    where.push('(position > ? OR (position = ? AND id > ?))')
    params.push(after[0], after[0], after[1])
  }
  const [rows] = await db.query<RowDataPacket[]>(
    `SELECT id, version, position, deleted, body FROM ${TABLE_OF[kind]} WHERE ${where.join(' AND ')} ORDER BY position, id LIMIT ?`,
    [...params, query.limit + 1])
  const items = rows.slice(0, query.limit).map((row) => toStoredEntity(kind, row))
  const last = items.at(-1)
  return rows.length > query.limit && last !== undefined ? { items, nextCursor: encodeCursor(last) } : { items }
}
