/** Reading and writing the rows of entity tables (every kind has the same table shape). */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise'
import { TABLE_OF, type EntityKind } from './kinds.js'

/** A pool or one connection (inside a transaction). */
export type Queryable = Pool | PoolConnection

/** One entity as stored: a delete keeps the row as a tombstone (`deleted`, no body) with its version. */
export interface StoredEntity {
  readonly kind: EntityKind
  readonly key: string
  /** The config version of the entity's last change (its delete, for a tombstone). */
  readonly version: number
  readonly deleted: boolean
  /** Order in lists and exports (file order on import, creation order otherwise). */
  readonly position: number
  /** The JSON text stored; null for a tombstone. */
  readonly body: string | null
}

export function toStoredEntity (kind: EntityKind, row: RowDataPacket): StoredEntity {
  return {
    kind,
    key: String(row.id),
    version: Number(row.version),
    deleted: Number(row.deleted) === 1,
    position: Number(row.position),
    body: row.body === null ? null : String(row.body)
  }
}

const COLUMNS = 'id, version, position, deleted, body'

/** The row of `kind`/`key`, tombstones included; `forUpdate` locks it for the transaction. */
export async function readRow (db: Queryable, kind: EntityKind, key: string, forUpdate = false): Promise<StoredEntity | undefined> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM ${TABLE_OF[kind]} WHERE id = ?${forUpdate ? ' FOR UPDATE' : ''}`, [key])
  const row = rows[0]
  return row === undefined ? undefined : toStoredEntity(kind, row)
}

/** Every live (not deleted) row of `kind`, in list order. */
export async function readLiveRows (db: Queryable, kind: EntityKind): Promise<StoredEntity[]> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM ${TABLE_OF[kind]} WHERE deleted = 0 ORDER BY position, id`)
  return rows.map((row) => toStoredEntity(kind, row))
}

/** The position after every row of `kind` (new entities go last). */
export async function nextPosition (db: Queryable, kind: EntityKind): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT COALESCE(MAX(position), 0) + 1 AS next FROM ${TABLE_OF[kind]}`)
  return Number(rows[0]?.next ?? 1)
}

/** Columns the admin API filters on, taken from the body. */
function filterColumns (kind: EntityKind, body: Record<string, unknown>): Record<string, unknown> {
  const text = (name: string): string | null => typeof body[name] === 'string' ? body[name] as string : null
  switch (kind) {
    case 'route': return { service_id: text('service') }
    case 'merchant': return { status: text('status') }
    case 'plugin': return { name: text('name'), route_id: text('route'), service_id: text('service'), merchant_id: text('merchant') }
    case 'credential': return { merchant_id: text('merchant_id') }
    default: return {}
  }
}

/** Inserts or replaces the row with a live entity. */
export async function writeLiveRow (db: Queryable, kind: EntityKind, key: string, body: Record<string, unknown>, version: number, position: number): Promise<void> {
  const columns = { id: key, version, position, deleted: 0, body: JSON.stringify(body), ...filterColumns(kind, body) }
  const names = Object.keys(columns)
  const updates = names.filter((n) => n !== 'id').map((n) => `${n} = VALUES(${n})`).join(', ')
  await db.query(`INSERT INTO ${TABLE_OF[kind]} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ON DUPLICATE KEY UPDATE ${updates}`,
    Object.values(columns))
}

/** Turns the row into a tombstone at `version` (kept so the delete's version stays known). */
export async function writeTombstone (db: Queryable, kind: EntityKind, key: string, version: number): Promise<void> {
  await db.query(`UPDATE ${TABLE_OF[kind]} SET version = ?, deleted = 1, body = NULL WHERE id = ?`, [version, key])
}
