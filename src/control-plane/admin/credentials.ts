/**
 * A merchant's credentials as a sub-resource, for rotation without resending the merchant:
 * add/remove API keys (named by the SHA-256 of the key, never the key) and signing secrets. Each
 * change is a merchant write (new version, credentials index updated in the same transaction).
 */
import { createHash } from 'node:crypto'
import type { MerchantEntry } from '../../config/schema/merchant.js'
import type { AdminContext } from './context.js'
import { AdminError, type AdminReply, type Exchange } from './exchange.js'
import { outcomeReply } from './outcome.js'
import { etagOf, ifMatch } from './versions.js'

type Merchant = MerchantEntry & Record<string, unknown>

/** Concurrent writers without If-Match: re-read and re-apply a few times, then give up with 412. */
const ATTEMPTS = 3

function keyId (key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex')
}

/** Applies `change` to the stored merchant and writes it under the version it was read at. */
async function changeMerchant (ex: Exchange, ctx: AdminContext, merchantId: string, change: (merchant: Merchant) => void): Promise<AdminReply> {
  const location = `/merchants/${encodeURIComponent(merchantId)}`
  const match = ifMatch(ex)
  for (let attempt = 1; ; attempt++) {
    const stored = await ctx.store.get('merchant', merchantId)
    if (stored === undefined || stored.deleted) throw new AdminError('TG_ADMIN_NOT_FOUND', `${location} does not exist`)
    if (typeof match === 'number' && match !== stored.version) {
      throw new AdminError('TG_ADMIN_VERSION_MISMATCH', `${location} is at version ${stored.version}, not the one in If-Match`, { current_version: stored.version }, { etag: etagOf(stored.version) })
    }
    const merchant = JSON.parse(stored.body ?? '{}') as Merchant
    change(merchant)
    const outcome = await ctx.store.put('merchant', merchantId, merchant, { mode: 'replace', ifVersion: stored.version, source: `${ex.method} ${ex.url.pathname}` })
    if (outcome.status !== 'version_mismatch' || typeof match === 'number' || attempt === ATTEMPTS) return outcomeReply(outcome, location)
  }
}

export async function listCredentials (ctx: AdminContext, merchantId: string): Promise<AdminReply> {
  const stored = await ctx.store.get('merchant', merchantId)
  if (stored === undefined || stored.deleted) throw new AdminError('TG_ADMIN_NOT_FOUND', `/merchants/${merchantId} does not exist`)
  const merchant = JSON.parse(stored.body ?? '{}') as Merchant
  return {
    status: 200,
    body: {
      api_keys: merchant.credentials.api_keys.map((k) => ({ id: keyId(k.key), ...(k.label === undefined ? {} : { label: k.label }) })),
      secrets: merchant.credentials.secrets.map((s) => ({ id: s.id }))
    },
    headers: { etag: etagOf(stored.version) }
  }
}

export async function addApiKey (ex: Exchange, ctx: AdminContext, merchantId: string): Promise<AdminReply> {
  const body = await ex.jsonObject()
  const reply = await changeMerchant(ex, ctx, merchantId, (m) => { m.credentials.api_keys.push(body as MerchantEntry['credentials']['api_keys'][number]) })
  return { ...reply, body: { id: typeof body.key === 'string' ? keyId(body.key) : null, merchant: reply.body } }
}

export async function removeApiKey (ex: Exchange, ctx: AdminContext, merchantId: string, id: string): Promise<AdminReply> {
  return await changeMerchant(ex, ctx, merchantId, (m) => {
    const kept = m.credentials.api_keys.filter((k) => keyId(k.key) !== id)
    if (kept.length === m.credentials.api_keys.length) throw new AdminError('TG_ADMIN_NOT_FOUND', `merchant '${merchantId}' has no API key with id ${id}`)
    m.credentials.api_keys = kept
  })
}

export async function addSecret (ex: Exchange, ctx: AdminContext, merchantId: string): Promise<AdminReply> {
  const body = await ex.jsonObject()
  return await changeMerchant(ex, ctx, merchantId, (m) => { m.credentials.secrets.push(body as MerchantEntry['credentials']['secrets'][number]) })
}

export async function removeSecret (ex: Exchange, ctx: AdminContext, merchantId: string, id: string): Promise<AdminReply> {
  return await changeMerchant(ex, ctx, merchantId, (m) => {
    const kept = m.credentials.secrets.filter((s) => s.id !== id)
    if (kept.length === m.credentials.secrets.length) throw new AdminError('TG_ADMIN_NOT_FOUND', `merchant '${merchantId}' has no secret '${id}'`)
    m.credentials.secrets = kept
  })
}
