/** The entity kinds of the control plane and how the gateway reads one stored entity. */

/** Kinds the route-table snapshot carries: a change to one reloads the snapshot. */
export const ROUTE_TABLE_KINDS: ReadonlySet<string> = new Set(['service', 'route', 'plugin', 'certificate', 'gateway'])

/** Kinds loaded lazily, per key, through the cache levels. */
export type LazyKind = 'merchant' | 'credential'

/** One entity as L2 or L3 answered it: a body, or a tombstone (`deleted`), with its version. */
export interface StoredEntity {
  readonly version: number
  readonly deleted: boolean
  /** The entity as the YAML file would hold it; undefined for a tombstone. */
  readonly body: unknown
  /** Size of the body as stored, in bytes (the L1 size estimate starts from it). */
  readonly bytes: number
}

/** The L1 / negative-cache key of an entity. */
export function cacheKey (kind: string, key: string): string {
  return `${kind}:${key}`
}

/**
 * Parses an L2 value `{"version":N,"deleted":bool,"body":{…}}`. Throws on a value that is not
 * that shape: a corrupt entry is treated as a failed read, never as "no such entity".
 */
export function parseStoredEntity (text: string): StoredEntity {
  const value = JSON.parse(text) as { version?: unknown, deleted?: unknown, body?: unknown }
  if (typeof value !== 'object' || value === null || typeof value.version !== 'number' || !Number.isInteger(value.version)) {
    throw new Error('stored entity has no integer version')
  }
  const deleted = value.deleted === true
  if (!deleted && (typeof value.body !== 'object' || value.body === null)) throw new Error('stored entity has no body')
  return { version: value.version, deleted, body: deleted ? undefined : value.body, bytes: Buffer.byteLength(text) }
}

/** An invalidation message `<kind>:<key>:<version>`; keys may hold colons (`credential` keys do). */
export function parseInvalidation (message: string): { kind: string, key: string, version: number } | undefined {
  const first = message.indexOf(':')
  const last = message.lastIndexOf(':')
  if (first <= 0 || last <= first) return undefined
  const version = Number(message.slice(last + 1))
  if (!Number.isSafeInteger(version) || version < 0) return undefined
  return { kind: message.slice(0, first), key: message.slice(first + 1, last), version }
}
