/**
 * The route table as stored: the gateway settings and every live service, route, plugin binding
 * and certificate, in list order — the document `GetSnapshot` and `cfg:snapshot` carry, and the
 * context a route-table write is validated in.
 */
import type { RowDataPacket } from 'mysql2/promise'
import { GATEWAY_SETTINGS_KEY, type EntityKind } from './kinds.js'
import { readLiveRows, readRow, type Queryable } from './rows.js'

export type Body = Record<string, unknown>

/** `{"gateway":…,"services":[…],"routes":[…],"plugins":[…],"certificates":[…]}` (docs/control-plane.md). */
export interface RouteTableDocument {
  gateway: Body
  services: Body[]
  routes: Body[]
  plugins: Body[]
  certificates: Body[]
}

/** The document list each list kind lives in. */
export const LIST_OF = {
  service: 'services',
  route: 'routes',
  plugin: 'plugins',
  certificate: 'certificates',
  merchant: 'merchants'
} as const satisfies Partial<Record<EntityKind, string>>

export type ListKind = keyof typeof LIST_OF

async function bodies (db: Queryable, kind: EntityKind): Promise<Body[]> {
  return (await readLiveRows(db, kind)).map((row) => JSON.parse(row.body ?? '{}') as Body)
}

/** Reads the route table; `gateway` is `{}` (all defaults) until settings are written. */
export async function readRouteTable (db: Queryable): Promise<RouteTableDocument> {
  const settings = await readRow(db, 'gateway', GATEWAY_SETTINGS_KEY)
  return {
    gateway: settings === undefined || settings.deleted || settings.body === null ? {} : JSON.parse(settings.body) as Body,
    services: await bodies(db, 'service'),
    routes: await bodies(db, 'route'),
    plugins: await bodies(db, 'plugin'),
    certificates: await bodies(db, 'certificate')
  }
}

/** The current config version. */
export async function readConfigVersion (db: Queryable): Promise<number> {
  const [rows] = await db.query<RowDataPacket[]>('SELECT version FROM config_version WHERE id = 1')
  return Number(rows[0]?.version ?? 0)
}
