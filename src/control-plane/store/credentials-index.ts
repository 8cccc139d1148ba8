/** Keeps the `credential` rows (lookup key → merchant id) in step with a merchant's write. */
import { credentialKeysOf } from './credential-keys.js'
import type { Body } from './route-table.js'
import type { WriteTransaction } from './write-transaction.js'
import type { RowDataPacket } from 'mysql2/promise'

/**
 * Writes the index rows `after` adds and tombstones those it dropped (`after` undefined: the
 * merchant is deleted). Unchanged rows are left alone, so their versions stay.
 */
export async function syncCredentials (tx: WriteTransaction, merchantId: string, after: (Body & { id: string }) | undefined): Promise<void> {
  const [rows] = await tx.connection.query<RowDataPacket[]>('SELECT id FROM credentials WHERE deleted = 0 AND merchant_id = ? FOR UPDATE', [merchantId])
  const before = new Set(rows.map((r) => String(r.id)))
  const wanted = after === undefined ? new Map() : credentialKeysOf(after)
  for (const key of before) {
    if (!wanted.has(key)) await tx.remove('credential', key)
  }
  for (const key of wanted.keys()) {
    if (!before.has(key)) await tx.upsert('credential', key, { merchant_id: merchantId }, await tx.read('credential', key))
  }
}
