/** What admin handlers work with. */
import type { ConfigStore } from '../store/config-store.js'
import type { NodeHeartbeat } from '../nodes.js'

export interface AdminContext {
  readonly store: ConfigStore
  /** Live gateway nodes from their Redis heartbeats; undefined when no Redis is configured. */
  readonly listNodes?: () => Promise<NodeHeartbeat[]>
  /** The OpenAPI document served at /openapi.json. */
  readonly openapi: unknown
}
