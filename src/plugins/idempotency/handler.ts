import { createHash, randomUUID } from 'node:crypto'
import { GatewayError } from '../../errors.js'
import type { PluginContext } from '../../kit/context.js'
import type { Logger } from '../../kit/logger.js'
import { definePlugin, PRIORITY, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { ResponseCapture } from './capture.js'
import { idempotencyDegraded } from './metrics.js'
import { RedisStore, RedisUnavailable } from './redis-store.js'
import { idempotencySchema, type IdempotencyConfig } from './schema.js'
import { statusMatcher } from './statuses.js'
import type { IdempotencyStore, StoredResponse } from './store.js'
import { WorkerStore } from './worker-store.js'

/** A request holding its key until its response is stored or the key released. */
interface HeldKey {
  readonly key: string
  readonly fingerprint: string
  readonly token: string
  readonly capture: ResponseCapture
}

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** Set by idempotency on a first request that holds its key. */
    idempotencyKey?: HeldKey
  }
}

export interface IdempotencyState {
  readonly config: IdempotencyConfig
  readonly header: string
  readonly replayHeader: string
  readonly methods: ReadonlySet<string>
  readonly stores: (status: number) => boolean
  readonly store: IdempotencyStore
  /** Where keys live, for logs: 'redis' or 'worker'. */
  readonly storeKind: 'redis' | 'worker'
  readonly keyPrefix: string
  readonly log: Logger
}

/** A key: visible ASCII only, so it is safe in a Redis key and a log line. */
const KEY_TEXT = /^[\x21-\x7e]+$/

/** Identifies the request: method, path, query and body (a duplicate key with another request is refused). */
function fingerprintOf (ctx: PluginContext, body: Buffer): string {
  const request = ctx.request
  return createHash('sha256').update(`${request.method}\n${request.path}\n${request.query}\n`).update(body).digest('base64url')
}

/** The stored response as a reply, marked as replayed; repeated fields are joined with ", ". */
function replay (response: StoredResponse, replayHeader: string): Reply {
  const headers: Record<string, string> = {}
  for (let i = 0; i < response.headers.length; i += 2) {
    const name = response.headers[i] as string
    const value = response.headers[i + 1] as string
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  headers[replayHeader] = 'true'
  return { status: response.status, headers, body: response.body }
}

/** The scope of a key: the merchant, else the client address (or undefined when that is refused). */
function scopeOf (ctx: PluginContext, state: IdempotencyState): string | undefined {
  if (ctx.merchant !== undefined) return `m:${ctx.merchant.id}`
  return state.config.without_merchant === 'client-ip' ? `ip:${ctx.request.clientIp}` : undefined
}

async function begin (ctx: PluginContext, state: IdempotencyState, idempotencyKey: string, scope: string): Promise<Reply | undefined> {
  let body: Buffer
  try {
    body = await ctx.request.readBody(state.config.max_request_body_bytes)
  } catch (error) {
    if (error instanceof GatewayError) return errorReply(error.code, undefined, error.message)
    throw error
  }
  const key = `${state.keyPrefix}idempotency:${scope}:${idempotencyKey}`
  const fingerprint = fingerprintOf(ctx, body)
  const token = randomUUID()
  let outcome
  try {
    outcome = await state.store.begin(key, fingerprint, token, state.config.lock_ttl_ms)
  } catch (error) {
    if (!(error instanceof RedisUnavailable)) throw error
    if (state.config.redis_failure === 'closed') {
      idempotencyDegraded.inc('redis_fail_closed')
      ctx.log.warn({ plugin: 'idempotency', err: error.message }, 'redis unavailable: request refused (redis_failure closed)')
      return errorReply('TG_IDEMPOTENCY_UNAVAILABLE')
    }
    idempotencyDegraded.inc('redis_fail_open')
    ctx.log.warn({ plugin: 'idempotency', err: error.message }, 'redis unavailable: request let through without idempotency (redis_failure open)')
    return undefined
  }
  if (outcome.kind === 'acquired') {
    ctx.slots.idempotencyKey = { key, fingerprint, token, capture: new ResponseCapture(state.config.max_response_bytes, state.replayHeader) }
    return undefined
  }
  if (outcome.fingerprint !== fingerprint) return errorReply('TG_IDEMPOTENCY_KEY_MISMATCH')
  if (outcome.kind === 'in-flight') return errorReply('TG_IDEMPOTENCY_IN_FLIGHT')
  return replay(outcome.response, state.replayHeader)
}

/** After the response: store it when it is complete and storable, else free the key for a retry. */
function settle (ctx: PluginContext, state: IdempotencyState, held: HeldKey): void {
  const { capture } = held
  const storable = capture.ended && !capture.generated && !capture.tooBig && state.stores(capture.status)
  const done = storable
    ? state.store.complete(held.key, held.fingerprint, held.token, capture.stored(), state.config.ttl_seconds * 1000)
    : state.store.release(held.key, held.fingerprint, held.token)
  done.catch((error: unknown) => {
    idempotencyDegraded.inc('store_error')
    ctx.log.warn({ plugin: 'idempotency', err: error instanceof Error ? error.message : String(error), stored: storable }, 'idempotency key not settled: it frees itself when its lock expires')
  })
}

/**
 * idempotency: a write request carrying an idempotency key runs once. The first proceeds and its
 * response is stored; a duplicate while it runs gets 409, a later one the stored response
 * (marked); the same key with another request gets 422. Keys are scoped per merchant.
 */
export const idempotency = definePlugin({
  name: 'idempotency',
  version: '1.0.0',
  // In access after authentication (the scope needs the merchant) and limits (a refused request
  // takes no key); below transformation so its response filters capture what the client received.
  priority: PRIORITY.transformation - 50,
  schema: idempotencySchema,

  compile (config: IdempotencyConfig, env: PluginEnv): IdempotencyState {
    const redis = env.redis
    return {
      config,
      header: config.header.toLowerCase(),
      replayHeader: config.replay_header.toLowerCase(),
      methods: new Set(config.methods),
      stores: statusMatcher(config.store_statuses, config.skip_statuses),
      store: redis !== undefined ? new RedisStore(redis) : new WorkerStore(config.max_worker_bytes),
      storeKind: redis !== undefined ? 'redis' : 'worker',
      keyPrefix: redis?.keyPrefix ?? '',
      log: env.log
    }
  },

  access (ctx, state) {
    if (!state.methods.has(ctx.request.method)) return undefined
    const idempotencyKey = ctx.request.headers.get(state.header)
    if (idempotencyKey === undefined) return undefined
    if (idempotencyKey.length > state.config.max_key_length || !KEY_TEXT.test(idempotencyKey)) return errorReply('TG_IDEMPOTENCY_KEY_INVALID')
    const scope = scopeOf(ctx, state)
    if (scope === undefined) return errorReply('TG_IDEMPOTENCY_MERCHANT_REQUIRED')
    return begin(ctx, state, idempotencyKey, scope)
  },

  headerFilter (ctx) {
    const held = ctx.slots.idempotencyKey
    if (held !== undefined && ctx.response !== undefined) held.capture.head(ctx.response)
  },

  bodyFilter (ctx, _state, chunk, last) {
    ctx.slots.idempotencyKey?.capture.body(chunk, last)
    return undefined
  },

  log (ctx, state) {
    const held = ctx.slots.idempotencyKey
    if (held !== undefined) settle(ctx, state, held)
  }
})
