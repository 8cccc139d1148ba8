import type { TSchema, Static } from '@sinclair/typebox'
import type { PluginContext } from './context.js'
import type { Reply } from './reply.js'
import type { Logger } from './logger.js'
import type { MerchantDirectory } from './merchant.js'
import type { RedisHandle } from './redis.js'

/** What a request phase method may return: a reply ends the request; nothing continues. */
export type PhaseResult = Reply | undefined | void | Promise<Reply | undefined | void>

/** The plugin priority bands of DESIGN.md §3; higher runs first within a phase, ties by name. */
export const PRIORITY = {
  security: 4000,
  authentication: 3000,
  limits: 2000,
  transformation: 1000,
  conversion: 500,
  logging: 100
} as const

/** Services a plugin gets when a binding is compiled. */
export interface PluginEnv {
  readonly log: Logger
  /** Merchants and credentials of the running config. */
  readonly merchants: MerchantDirectory
  /** Identifies this worker (for per-worker files and counters). */
  readonly workerId: number
  /** Subscribes to gateway lifecycle events; returns an unsubscribe function. */
  on (event: 'reopen-logs' | 'drain', listener: () => void): () => void
  /** The id of the binding being compiled (stable across reloads while its scope is unchanged). */
  readonly bindingId: string
  /** The worker's shared Redis connection when `gateway.redis` is configured; commands fail fast. */
  readonly redis: RedisHandle | undefined
}

/**
 * The contract of a plugin. `schema` validates the binding's config (defaults applied) when the
 * config loads; `compile` turns the validated config into the state the phase methods receive, once
 * per binding per config version; `destroy` releases that state when the version is retired.
 * Phase methods are optional: a plugin implements only the phases it needs.
 */
export interface PluginDefinition<S extends TSchema = TSchema, State = Static<S>> {
  readonly name: string
  readonly version: string
  readonly priority: number
  readonly schema: S
  compile? (config: Static<S>, env: PluginEnv): State
  destroy? (state: State): void
  rewrite? (ctx: PluginContext, state: State): PhaseResult
  access? (ctx: PluginContext, state: State): PhaseResult
  content? (ctx: PluginContext, state: State): PhaseResult
  /**
   * May change the status and headers of the response before they are sent. A plugin whose body
   * filter will change the body's length removes `content-length` here, so the ingress frames the
   * body itself (chunked on HTTP/1.1); otherwise the upstream's length is kept.
   */
  headerFilter? (ctx: PluginContext, state: State): void
  /**
   * May replace a body chunk (an empty Buffer holds it back; undefined passes it on); `last` is
   * true for the final call (chunk may be empty). Runs for proxied responses, not gateway replies.
   */
  bodyFilter? (ctx: PluginContext, state: State, chunk: Buffer, last: boolean): Buffer | undefined
  /** Runs after the last byte was sent; must not block (buffer and flush later). */
  log? (ctx: PluginContext, state: State): void
}

/** Names of the methods the phase runner calls. */
export const PHASE_METHODS = ['rewrite', 'access', 'content', 'headerFilter', 'bodyFilter', 'log'] as const
export type PhaseMethod = typeof PHASE_METHODS[number]

/** Identity helper that keeps the schema's static type flowing into the phase methods. */
export function definePlugin<S extends TSchema, State = Static<S>> (plugin: PluginDefinition<S, State>): PluginDefinition<S, State> {
  return plugin
}
