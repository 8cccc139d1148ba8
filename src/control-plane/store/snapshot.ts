/** The route table at one config version: `GetSnapshot` and `cfg:snapshot` (docs/control-plane.md). */
import type { Pool } from 'mysql2/promise'
import { consistentRead } from './consistent-read.js'
import { readConfigVersion, readRouteTable, type RouteTableDocument } from './route-table.js'

export interface RouteTableSnapshot {
  /** The config version the document was read at. */
  readonly version: number
  readonly document: RouteTableDocument
}

export function readSnapshot (pool: Pool): Promise<RouteTableSnapshot> {
  return consistentRead(pool, async (connection) => ({
    version: await readConfigVersion(connection),
    document: await readRouteTable(connection)
  }))
}
