/**
 * The configuration store over MySQL: validated writes (each one transaction with its outbox
 * rows, see write-transaction.ts) and reads. The admin API, import/export, the RPC service and the
 * relay all go through it.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Pool } from 'mysql2/promise'
import type { ConfigProblem } from '../../config/problems.js'
import { GATEWAY_SETTINGS_KEY, type EntityKind } from './kinds.js'
import { readRow, type StoredEntity } from './rows.js'
import { inWriteTransaction, type RecordedChange } from './write-transaction.js'
import { bodyForKey, validateWrite, type ValidationContext } from './validate-write.js'
import { syncCredentials } from './credentials-index.js'
import type { Body } from './route-table.js'

/** How a write treats an existing entity. */
export type WriteMode = 'create' | 'replace' | 'upsert'

export interface WriteOptions {
  /** `create`: refuse when it exists; `replace`: refuse when it does not; `upsert`: either. */
  readonly mode: WriteMode
  /** The version the caller last saw (`If-Match`); a different current version refuses the write. */
  readonly ifVersion?: number
  /** Names the request in problems. */
  readonly source: string
}

/** The outcome of a write; only `written` changed anything. */
export type WriteOutcome =
  | { readonly status: 'written', readonly entity: StoredEntity, readonly created: boolean }
  | { readonly status: 'unchanged', readonly entity: StoredEntity }
  | { readonly status: 'deleted', readonly version: number }
  | { readonly status: 'invalid', readonly problems: ConfigProblem[] }
  | { readonly status: 'not_found' }
  | { readonly status: 'exists', readonly entity: StoredEntity }
  | { readonly status: 'version_mismatch', readonly current: number | undefined }

/** Called after each committed write (the relay wakes on it). */
export type CommitListener = (version: number, changes: readonly RecordedChange[]) => void

export class ConfigStore {
  private readonly listeners = new Set<CommitListener>()

  constructor (readonly pool: Pool, private readonly validation: Omit<ValidationContext, 'source'>) {}

  onCommit (listener: CommitListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** The entity, tombstones included (callers decide what a tombstone means to them). */
  get (kind: EntityKind, key: string): Promise<StoredEntity | undefined> {
    return readRow(this.pool, kind, key)
  }

  /** Creates, replaces or upserts `kind`/`key` with `body` (its `id` is set to `key`). */
  async put (kind: EntityKind, key: string, body: Body, options: WriteOptions): Promise<WriteOutcome> {
    const keyed = bodyForKey(kind, key, body, options.source)
    if (!keyed.ok) return { status: 'invalid', problems: keyed.problems }
    const input = keyed.body
    const { result, version, changes } = await inWriteTransaction(this.pool, async (tx): Promise<WriteOutcome> => {
      const existing = await tx.read(kind, key)
      const live = existing !== undefined && !existing.deleted ? existing : undefined
      const refused = precondition(live, options)
      if (refused !== undefined) return refused
      const checked = await validateWrite(tx.connection, kind, key, input, { ...this.validation, source: options.source })
      if (!checked.ok) return { status: 'invalid', problems: checked.problems }
      if (live !== undefined && isDeepStrictEqual(JSON.parse(live.body ?? 'null'), checked.body)) return { status: 'unchanged', entity: live }
      await tx.upsert(kind, key, checked.body, existing)
      if (kind === 'merchant') await syncCredentials(tx, key, checked.body as Body & { id: string })
      const entity = await tx.read(kind, key)
      if (entity === undefined) throw new Error(`${kind} '${key}' vanished inside its own transaction`)
      return { status: 'written', entity, created: live === undefined }
    })
    this.notify(version, changes)
    return result
  }

  /** Deletes `kind`/`key` when nothing still refers to it. */
  async delete (kind: EntityKind, key: string, options: Omit<WriteOptions, 'mode'>): Promise<WriteOutcome> {
    const { result, version, changes } = await inWriteTransaction(this.pool, async (tx): Promise<WriteOutcome> => {
      const existing = await tx.read(kind, key)
      const live = existing !== undefined && !existing.deleted ? existing : undefined
      const refused = precondition(live, { ...options, mode: 'replace' })
      if (refused !== undefined) return refused
      const checked = await validateWrite(tx.connection, kind, key, undefined, { ...this.validation, source: options.source })
      if (!checked.ok) return { status: 'invalid', problems: checked.problems }
      await tx.remove(kind, key)
      if (kind === 'merchant') await syncCredentials(tx, key, undefined)
      return { status: 'deleted', version: tx.version }
    })
    this.notify(version, changes)
    return result
  }

  /** The gateway settings entity's key (one per deployment). */
  static readonly gatewayKey = GATEWAY_SETTINGS_KEY

  private notify (version: number | undefined, changes: readonly RecordedChange[]): void {
    if (version === undefined) return
    for (const listener of this.listeners) listener(version, changes)
  }
}

/** The refusals that depend only on whether the entity exists and at which version. */
function precondition (live: StoredEntity | undefined, options: WriteOptions): WriteOutcome | undefined {
  if (options.mode === 'replace' && live === undefined) return { status: 'not_found' }
  if (options.mode === 'create' && live !== undefined) return { status: 'exists', entity: live }
  // A tombstone has no current representation: an If-Match can only fail against it.
  if (options.ifVersion !== undefined && live?.version !== options.ifVersion) return { status: 'version_mismatch', current: live?.version }
  return undefined
}
