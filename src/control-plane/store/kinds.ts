/**
 * The entity kinds of docs/control-plane.md, the MySQL table of each, and which of them belong to
 * the route table (loaded whole as a snapshot by gateways) rather than loading lazily per key.
 */

/** Every kind the store holds. `credential` is an index written with its merchant, never on its own. */
export const ENTITY_KINDS = ['service', 'route', 'merchant', 'plugin', 'certificate', 'credential', 'gateway'] as const
export type EntityKind = typeof ENTITY_KINDS[number]

/** Kinds whose change means "reload the route table snapshot". */
export const ROUTE_TABLE_KINDS: ReadonlySet<EntityKind> = new Set(['service', 'route', 'plugin', 'certificate', 'gateway'])

/** The MySQL table of each kind (all share one shape: id, version, position, deleted, body, updated_at). */
export const TABLE_OF: Readonly<Record<EntityKind, string>> = {
  service: 'services',
  route: 'routes',
  merchant: 'merchants',
  plugin: 'plugins',
  certificate: 'certificates',
  credential: 'credentials',
  gateway: 'gateway_settings'
}

/** The one key of the `gateway` kind. */
export const GATEWAY_SETTINGS_KEY = 'settings'

export function isEntityKind (value: string): value is EntityKind {
  return (ENTITY_KINDS as readonly string[]).includes(value)
}

/** What a change did to an entity: written (created or updated) or deleted. */
export type ChangeOp = 'upsert' | 'delete'
