/**
 * Applies the migrations not yet recorded in `schema_migrations`. Safe to run from several
 * control planes at once (a named lock serialises them) and again after a crash half-way
 * (every statement is idempotent; a migration is recorded only after all of its statements).
 */
import type { Pool, RowDataPacket } from 'mysql2/promise'
import { MIGRATIONS, type Migration } from './migrations.js'

const LOCK_NAME = 'tollgate_schema_migrations'
const LOCK_WAIT_SECONDS = 60

/** Applies what is missing; resolves with the ids applied now (empty when the schema was current). */
export async function migrate (pool: Pool, migrations: readonly Migration[] = MIGRATIONS): Promise<string[]> {
  const connection = await pool.getConnection()
  try {
    const [locked] = await connection.query<RowDataPacket[]>('SELECT GET_LOCK(?, ?) AS got', [LOCK_NAME, LOCK_WAIT_SECONDS])
    if (locked[0]?.got !== 1) throw new Error(`could not take the migration lock '${LOCK_NAME}' within ${LOCK_WAIT_SECONDS} s (another control plane migrating?)`)
    try {
      await connection.query('CREATE TABLE IF NOT EXISTS schema_migrations (id VARCHAR(128) CHARACTER SET ascii NOT NULL, applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3), PRIMARY KEY (id)) ENGINE=InnoDB')
      const [rows] = await connection.query<RowDataPacket[]>('SELECT id FROM schema_migrations')
      const done = new Set(rows.map((r) => String(r.id)))
      const applied: string[] = []
      for (const migration of migrations) {
        if (done.has(migration.id)) continue
        for (const statement of migration.statements) await connection.query(statement)
        await connection.query('INSERT INTO schema_migrations (id) VALUES (?)', [migration.id])
        applied.push(migration.id)
      }
      return applied
    } finally {
      await connection.query('SELECT RELEASE_LOCK(?)', [LOCK_NAME])
    }
  } finally {
    connection.release()
  }
}
