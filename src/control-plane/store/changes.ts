/** `GetChanges`: the outbox read as a change log, oldest first, never splitting one version. */
import type { RowDataPacket } from 'mysql2/promise'
import { isEntityKind, type ChangeOp, type EntityKind } from './kinds.js'
import { readConfigVersion } from './route-table.js'
import type { Queryable } from './rows.js'

export interface Change {
  readonly id: number
  readonly version: number
  readonly kind: EntityKind
  readonly key: string
  readonly op: ChangeOp
}

export function toChange (row: RowDataPacket): Change {
  const kind = String(row.kind)
  if (!isEntityKind(kind)) throw new Error(`outbox row ${String(row.id)} has an unknown kind '${kind}'`)
  return { id: Number(row.id), version: Number(row.version), kind, key: String(row.entity_key), op: row.op === 'delete' ? 'delete' : 'upsert' }
}

const COLUMNS = 'id, version, kind, entity_key, op'

/**
 * Changes with a version above `afterVersion`, at most `limit` — except that the changes of one
 * version are never split (a caller resumes after the last version it saw), so a page may run
 * over `limit` by the rest of its last version. `complete` is false when more remain.
 */
export async function changesAfter (db: Queryable, afterVersion: number, limit: number): Promise<{ changes: Change[], complete: boolean, configVersion: number }> {
  const configVersion = await readConfigVersion(db)
  const [rows] = await db.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM outbox WHERE version > ? ORDER BY id LIMIT ?`, [afterVersion, limit + 1])
  if (rows.length <= limit) return { changes: rows.map(toChange), complete: true, configVersion }
  const changes = rows.slice(0, limit).map(toChange)
  const last = changes.at(-1)
  if (last !== undefined) {
    const [rest] = await db.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM outbox WHERE version = ? AND id > ? ORDER BY id`, [last.version, last.id])
    changes.push(...rest.map(toChange))
  }
  return { changes, complete: false, configVersion }
}

/** Outbox rows after `afterId`, in id order (the relay's tail). */
export async function outboxAfter (db: Queryable, afterId: number, limit: number): Promise<Change[]> {
  const [rows] = await db.query<RowDataPacket[]>(`SELECT ${COLUMNS} FROM outbox WHERE id > ? ORDER BY id LIMIT ?`, [afterId, limit])
  return rows.map(toChange)
}
