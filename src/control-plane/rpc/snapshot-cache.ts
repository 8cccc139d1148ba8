/**
 * The newest route-table snapshot as JSON bytes, rebuilt only when the config version moved, and
 * built once for any number of callers asking at the same time (many gateway workers start together).
 */
import type { Pool } from 'mysql2/promise'
import { readSnapshot } from '../store/snapshot.js'
import { readConfigVersion } from '../store/route-table.js'

export interface EncodedSnapshot {
  readonly version: number
  readonly bytes: Buffer
}

export class SnapshotCache {
  private current: EncodedSnapshot | undefined
  private building: Promise<EncodedSnapshot> | undefined

  constructor (private readonly pool: Pool) {}

  async newest (): Promise<EncodedSnapshot> {
    const version = await readConfigVersion(this.pool)
    if (this.current !== undefined && this.current.version === version) return this.current
    this.building ??= this.build().finally(() => { this.building = undefined })
    return await this.building
  }

  private async build (): Promise<EncodedSnapshot> {
    const snapshot = await readSnapshot(this.pool)
    const encoded = { version: snapshot.version, bytes: Buffer.from(JSON.stringify(snapshot.document), 'utf8') }
    if (this.current === undefined || encoded.version >= this.current.version) this.current = encoded
    return encoded
  }
}
