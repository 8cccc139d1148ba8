// A throwaway MySQL/MariaDB database per test suite (`tg_test_<random>`), dropped afterwards, so
// parallel runs by several engineers never share tables.
import { randomBytes } from 'node:crypto'
import { createConnection } from 'mysql2/promise'
import { MYSQL } from './services.js'

export interface TempDatabase {
  readonly name: string
  /** Settings in the control plane's `mysql` shape. */
  readonly settings: { host: string, port: number, user: string, password: string, database: string, connection_limit: number, connect_timeout_ms: number }
  drop (): Promise<void>
}

export async function createTempDatabase (): Promise<TempDatabase> {
  const name = `tg_test_${randomBytes(6).toString('hex')}`
  const admin = { host: MYSQL.host, port: MYSQL.port, user: MYSQL.user, password: MYSQL.password }
  const connection = await createConnection(admin)
  try {
    await connection.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4`)
  } finally {
    await connection.end()
  }
  return {
    name,
    settings: { ...admin, database: name, connection_limit: 5, connect_timeout_ms: 5000 },
    async drop () {
      const c = await createConnection(admin)
      try {
        await c.query(`DROP DATABASE IF EXISTS ${name}`)
      } finally {
        await c.end()
      }
    }
  }
}
