/** The MySQL connection pool of the control plane (mysql2/promise). */
import { createPool, type Pool } from 'mysql2/promise'
import type { MysqlSettings } from '../settings-schema.js'

/**
 * A pool for `settings`. Numbers come back as numbers while safe (versions stay far below 2^53);
 * times as UTC; several statements per query stay off (no stacked-query injection).
 */
export function openPool (settings: MysqlSettings): Pool {
  return createPool({
    host: settings.host,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database: settings.database,
    connectionLimit: settings.connection_limit,
    connectTimeout: settings.connect_timeout_ms,
    supportBigNumbers: true,
    bigNumberStrings: false,
    timezone: 'Z',
    charset: 'utf8mb4_bin',
    waitForConnections: true
  })
}
