/** The key names of docs/control-plane.md, under the deployment's key prefix. */
import type { EntityKind } from '../store/kinds.js'

export class RedisLayout {
  constructor (readonly prefix: string) {}

  entity (kind: EntityKind, key: string): string { return `${this.prefix}cfg:e:${kind}:${key}` }
  get snapshot (): string { return `${this.prefix}cfg:snapshot` }
  get version (): string { return `${this.prefix}cfg:version` }
  get changes (): string { return `${this.prefix}cfg:changes` }
  get epoch (): string { return `${this.prefix}cfg:epoch` }
  get lastOutboxId (): string { return `${this.prefix}cfg:relay:last_outbox_id` }
  get invalidateChannel (): string { return `${this.prefix}cfg:invalidate` }
  get nodePattern (): string { return `${this.prefix}cfg:node:*` }
}
