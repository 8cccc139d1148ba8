/**
 * Names of the control plane's Redis keys and channel (docs/control-plane.md, "Redis (L2) layout"),
 * each behind the deployment's key prefix. The one place the gateway spells them.
 */
export class RedisKeys {
  readonly version: string
  readonly snapshot: string
  readonly changes: string
  readonly epoch: string
  readonly channel: string

  constructor (readonly prefix: string) {
    this.version = `${prefix}cfg:version`
    this.snapshot = `${prefix}cfg:snapshot`
    this.changes = `${prefix}cfg:changes`
    this.epoch = `${prefix}cfg:epoch`
    this.channel = `${prefix}cfg:invalidate`
  }

  /** `cfg:e:<kind>:<key>`: one entity with its version (or a tombstone). */
  entity (kind: string, key: string): string {
    return `${this.prefix}cfg:e:${kind}:${key}`
  }

  /** `cfg:node:<node id>`: a node's heartbeat with its config lag. */
  node (nodeId: string): string {
    return `${this.prefix}cfg:node:${nodeId}`
  }
}
