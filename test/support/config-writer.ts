// TEST ONLY: writes a control plane's changes exactly as docs/control-plane.md lays them out in
// Redis (entity with version, cfg:version upwards only, cfg:changes, PUBLISH, cfg:snapshot,
// cfg:epoch) and mirrors them into a ConfigRpcServer, so both levels agree like the real relay
// leaves them. Options let a test lose the message or skip Redis to stage faults.
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import type { ConfigRpcServer } from './config-rpc-server.js'

const ROUTE_TABLE_KINDS = new Set(['service', 'route', 'plugin', 'certificate', 'gateway'])

export interface WriteOptions {
  /** Leave out the PUBLISH (a lost message). */
  publish?: boolean
}

export class ConfigWriter {
  version = 0
  readonly redis: Redis
  /** The route table's lists, rebuilt into cfg:snapshot after each route-table change. */
  readonly table: Record<string, unknown[]> & { gateway?: unknown } = { services: [], routes: [], plugins: [], certificates: [] }

  constructor (readonly prefix: string, readonly rpc: ConfigRpcServer, redisAddress: { host: string, port: number }) {
    this.redis = new Redis({ host: redisAddress.host, port: redisAddress.port, lazyConnect: false, maxRetriesPerRequest: 1 })
  }

  /** A fresh random prefix per test run, so parallel runs never share keys. */
  static randomPrefix (): string {
    return `tgtest-${randomBytes(4).toString('hex')}:`
  }

  async init (): Promise<void> {
    await this.redis.set(`${this.prefix}cfg:epoch`, randomBytes(8).toString('hex'), 'NX')
  }

  async upsert (kind: string, key: string, body: unknown, options: WriteOptions = {}): Promise<number> {
    return await this.write(kind, key, body, 'upsert', options)
  }

  async remove (kind: string, key: string, options: WriteOptions = {}): Promise<number> {
    return await this.write(kind, key, undefined, 'delete', options)
  }

  /** A merchant with its credential index entries (api keys by SHA-256, its signing app by id). */
  async upsertMerchant (merchant: { id: string, credentials?: { api_keys?: Array<{ key: string }>, secrets?: unknown[] } } & Record<string, unknown>, options: WriteOptions = {}): Promise<number> {
    const { createHash } = await import('node:crypto')
    for (const apiKey of merchant.credentials?.api_keys ?? []) {
      await this.upsert('credential', `api_key:${createHash('sha256').update(apiKey.key).digest('hex')}`, { merchant_id: merchant.id }, options)
    }
    if ((merchant.credentials?.secrets ?? []).length > 0) await this.upsert('credential', `signing_app:${merchant.id}`, { merchant_id: merchant.id }, options)
    return await this.upsert('merchant', merchant.id, merchant, options)
  }

  /** Deletes everything under the prefix. */
  async cleanup (): Promise<void> {
    let cursor = '0'
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}*`, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) await this.redis.del(...keys)
    } while (cursor !== '0')
  }

  async close (): Promise<void> {
    await this.cleanup()
    this.redis.disconnect()
  }

  private async write (kind: string, key: string, body: unknown, op: 'upsert' | 'delete', options: WriteOptions): Promise<number> {
    const version = ++this.version
    const id = `${kind}:${key}`
    if (op === 'upsert') this.rpc.entities.set(id, { version, body })
    else this.rpc.entities.delete(id)
    this.rpc.configVersion = version
    if (ROUTE_TABLE_KINDS.has(kind)) this.applyToTable(kind, key, body, op)
    const p = this.prefix
    const stored = op === 'upsert' ? { version, deleted: false, body } : { version, deleted: true }
    await this.redis.set(`${p}cfg:e:${kind}:${key}`, JSON.stringify(stored))
    if (ROUTE_TABLE_KINDS.has(kind)) {
      this.rpc.routeTable = { version, document: this.document() }
      await this.redis.set(`${p}cfg:snapshot`, JSON.stringify(this.rpc.routeTable))
    }
    await this.redis.set(`${p}cfg:version`, String(version))
    await this.redis.xadd(`${p}cfg:changes`, 'MAXLEN', '~', '100000', '*', 'version', String(version), 'kind', kind, 'key', key, 'op', op)
    if (options.publish !== false) await this.redis.publish(`${p}cfg:invalidate`, `${kind}:${key}:${version}`)
    return version
  }

  private document (): Record<string, unknown> {
    return { ...(this.table.gateway === undefined ? {} : { gateway: this.table.gateway }), services: this.table.services, routes: this.table.routes, plugins: this.table.plugins, certificates: this.table.certificates }
  }

  private applyToTable (kind: string, key: string, body: unknown, op: 'upsert' | 'delete'): void {
    if (kind === 'gateway') {
      this.table.gateway = op === 'upsert' ? body : undefined
      return
    }
    const list = (this.table[`${kind}s`] ?? []) as Array<{ id?: string }>
    const kept = list.filter((item) => item.id !== key)
    if (op === 'upsert') kept.push(body as { id?: string })
    this.table[`${kind}s`] = kept
  }
}
