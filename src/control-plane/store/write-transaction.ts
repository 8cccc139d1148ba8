/**
 * One write to the configuration = one MySQL transaction that takes the next config version,
 * changes the entities and records one outbox row per changed entity.
 *
 * Every write starts by locking the single `config_version` row, so writes are serialised: outbox
 * ids are allocated and committed in the same order, and the relay, which reads them in id order,
 * can never skip a row that commits late. All entities changed in one transaction share its version.
 */
import type { Pool, PoolConnection, RowDataPacket } from 'mysql2/promise'
import type { ChangeOp, EntityKind } from './kinds.js'
import { nextPosition, readRow, writeLiveRow, writeTombstone, type StoredEntity } from './rows.js'

/** One entity change recorded by a transaction. */
export interface RecordedChange {
  readonly kind: EntityKind
  readonly key: string
  readonly op: ChangeOp
}

/** The open transaction handed to a write. */
export class WriteTransaction {
  private readonly changes: RecordedChange[] = []

  constructor (readonly connection: PoolConnection, readonly currentVersion: number) {}

  /** The version this transaction's changes get. */
  get version (): number {
    return this.currentVersion + 1
  }

  get changed (): readonly RecordedChange[] {
    return this.changes
  }

  /** The row, locked until commit. */
  read (kind: EntityKind, key: string): Promise<StoredEntity | undefined> {
    return readRow(this.connection, kind, key, true)
  }

  /** Writes a live entity; a new one goes after the others unless `position` is given. */
  async upsert (kind: EntityKind, key: string, body: Record<string, unknown>, existing: StoredEntity | undefined, position?: number): Promise<void> {
    const at = position ?? (existing !== undefined && !existing.deleted ? existing.position : await nextPosition(this.connection, kind))
    await writeLiveRow(this.connection, kind, key, body, this.version, at)
    await this.record(kind, key, 'upsert')
  }

  /** Deletes (tombstones) an entity. */
  async remove (kind: EntityKind, key: string): Promise<void> {
    await writeTombstone(this.connection, kind, key, this.version)
    await this.record(kind, key, 'delete')
  }

  private async record (kind: EntityKind, key: string, op: ChangeOp): Promise<void> {
    await this.connection.query('INSERT INTO outbox (version, kind, entity_key, op) VALUES (?, ?, ?, ?)', [this.version, kind, key, op])
    this.changes.push({ kind, key, op })
  }
}

/**
 * Runs `write` in a transaction. When it recorded changes, the config version moves to the
 * transaction's version and everything commits; when it recorded none (a no-op) or threw, nothing
 * is kept. Resolves with `write`'s result and the version committed (undefined for a no-op).
 */
export async function inWriteTransaction<T> (pool: Pool, write: (tx: WriteTransaction) => Promise<T>): Promise<{ result: T, version: number | undefined, changes: readonly RecordedChange[] }> {
  const connection = await pool.getConnection()
  try {
    await connection.beginTransaction()
    try {
      const [rows] = await connection.query<RowDataPacket[]>('SELECT version FROM config_version WHERE id = 1 FOR UPDATE')
      if (rows[0] === undefined) throw new Error('config_version has no row: run `tollgate migrate`')
      const tx = new WriteTransaction(connection, Number(rows[0].version))
      const result = await write(tx)
      if (tx.changed.length === 0) {
        await connection.rollback()
        return { result, version: undefined, changes: [] }
      }
      await connection.query('UPDATE config_version SET version = ? WHERE id = 1', [tx.version])
      await connection.commit()
      return { result, version: tx.version, changes: tx.changed }
    } catch (error) {
      await connection.rollback().catch(() => {})
      throw error
    }
  } finally {
    connection.release()
  }
}
