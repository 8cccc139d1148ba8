/** Which handler answers which method and path. */
import { readConfigVersion } from '../store/route-table.js'
import { GATEWAY_SETTINGS_KEY } from '../store/kinds.js'
import type { AdminContext } from './context.js'
import { AdminError, type AdminReply, type Exchange } from './exchange.js'
import { COLLECTIONS, deleteEntity, getEntity, keyFromUrl, listCollection, writeEntity } from './entities.js'
import { addApiKey, addSecret, listCredentials, removeApiKey, removeSecret } from './credentials.js'

type Handler = () => Promise<AdminReply>

/** Picks the handler of `methods` for the request's method, or refuses with 405. */
function byMethod (ex: Exchange, methods: Record<string, Handler>): Promise<AdminReply> {
  const handler = methods[ex.method]
  if (handler === undefined) throw new AdminError('TG_ADMIN_METHOD_NOT_ALLOWED', `${ex.method} is not allowed on ${ex.url.pathname} (allowed: ${Object.keys(methods).join(', ')})`, {}, { allow: Object.keys(methods).join(', ') })
  return handler()
}

/** Paths that answer without the admin token. */
export function isPublicPath (segments: readonly string[]): boolean {
  return segments.length === 1 && (segments[0] === 'openapi.json' || segments[0] === 'healthz')
}

export async function route (ex: Exchange, ctx: AdminContext): Promise<AdminReply> {
  const [first, id, sub, subId, ...rest] = ex.segments
  if (rest.length > 0 || first === undefined) throw new AdminError('TG_ADMIN_NOT_FOUND', `nothing at ${ex.url.pathname}; see /openapi.json`)
  if (id === undefined) {
    switch (first) {
      case 'openapi.json': return await byMethod(ex, { GET: async () => ({ status: 200, body: ctx.openapi }) })
      case 'healthz': return await byMethod(ex, { GET: async () => ({ status: 200, body: { ok: true, config_version: await readConfigVersion(ctx.store.pool) } }) })
      case 'nodes': return await byMethod(ex, { GET: async () => nodesReply(ctx) })
      case 'gateway': return await byMethod(ex, {
        GET: () => getEntity(ctx, 'gateway', GATEWAY_SETTINGS_KEY, '/gateway'),
        PUT: () => writeEntity(ex, ctx, 'gateway', GATEWAY_SETTINGS_KEY, 'upsert')
      })
    }
  }
  const kind = COLLECTIONS[first]
  if (kind === undefined) throw new AdminError('TG_ADMIN_NOT_FOUND', `nothing at ${ex.url.pathname}; see /openapi.json`)
  if (id === undefined) return await byMethod(ex, { GET: () => listCollection(ex, ctx, kind), POST: () => writeEntity(ex, ctx, kind, undefined, 'create') })
  const key = keyFromUrl(kind, id)
  if (sub === undefined) {
    return await byMethod(ex, {
      GET: () => getEntity(ctx, kind, key, ex.url.pathname),
      PUT: () => writeEntity(ex, ctx, kind, key, 'upsert'),
      DELETE: () => deleteEntity(ex, ctx, kind, key)
    })
  }
  if (kind === 'merchant') {
    if (sub === 'credentials' && subId === undefined) return await byMethod(ex, { GET: () => listCredentials(ctx, key) })
    if (sub === 'api-keys') return await byMethod(ex, subId === undefined ? { POST: () => addApiKey(ex, ctx, key) } : { DELETE: () => removeApiKey(ex, ctx, key, subId) })
    if (sub === 'secrets') return await byMethod(ex, subId === undefined ? { POST: () => addSecret(ex, ctx, key) } : { DELETE: () => removeSecret(ex, ctx, key, subId) })
  }
  throw new AdminError('TG_ADMIN_NOT_FOUND', `nothing at ${ex.url.pathname}; see /openapi.json`)
}

async function nodesReply (ctx: AdminContext): Promise<AdminReply> {
  if (ctx.listNodes === undefined) throw new AdminError('TG_ADMIN_UNAVAILABLE', 'no Redis is configured, so node heartbeats cannot be read')
  try {
    return { status: 200, body: { nodes: await ctx.listNodes() } }
  } catch (error) {
    throw new AdminError('TG_ADMIN_UNAVAILABLE', `cannot read node heartbeats from Redis: ${(error as Error).message}`)
  }
}
