/** Several reads that see one committed state (a consistent InnoDB snapshot). */
import type { Pool, PoolConnection } from 'mysql2/promise'

export async function consistentRead<T> (pool: Pool, read: (connection: PoolConnection) => Promise<T>): Promise<T> {
  const connection = await pool.getConnection()
  try {
    await connection.query('START TRANSACTION WITH CONSISTENT SNAPSHOT')
    try {
      return await read(connection)
    } finally {
      await connection.query('COMMIT')
    }
  } finally {
    connection.release()
  }
}
