/**
 * Writes everything MySQL holds into a Redis that has no epoch (new, flushed or replaced): every
 * entity and tombstone, the snapshot and the version, then a new epoch, so gateways that saw the
 * old epoch flush their L1. The outbox position is taken before reading, so changes committed
 * during the sync are relayed again afterwards (harmless: every write is idempotent).
 */
import type { Pool, RowDataPacket } from 'mysql2/promise'
import { ENTITY_KINDS, TABLE_OF } from '../store/kinds.js'
import { toStoredEntity } from '../store/rows.js'
import { readSnapshot } from '../store/snapshot.js'
import type { RedisConfigWriter } from './redis-writer.js'

/** Entities written to Redis at a time (one pipelined round trip per chunk). */
const CHUNK = 500

export async function fullSync (pool: Pool, writer: RedisConfigWriter): Promise<{ entities: number, epoch: string }> {
  const [outbox] = await pool.query<RowDataPacket[]>('SELECT COALESCE(MAX(id), 0) AS id FROM outbox')
  const lastId = Number(outbox[0]?.id ?? 0)
  let entities = 0
  for (const kind of ENTITY_KINDS) {
    let after = ''
    for (;;) {
      const [rows] = await pool.query<RowDataPacket[]>(`SELECT id, version, position, deleted, body FROM ${TABLE_OF[kind]} WHERE id > ? ORDER BY id LIMIT ?`, [after, CHUNK])
      if (rows.length === 0) break
      const batch = rows.map((row) => toStoredEntity(kind, row))
      await Promise.all(batch.map((entity) => writer.writeEntity(entity)))
      entities += batch.length
      after = batch.at(-1)?.key ?? after
    }
  }
  const snapshot = await readSnapshot(pool)
  await writer.writeSnapshot(snapshot)
  await writer.raiseVersion(snapshot.version)
  await writer.saveLastOutboxId(lastId)
  return { entities, epoch: await writer.createEpoch() }
}
