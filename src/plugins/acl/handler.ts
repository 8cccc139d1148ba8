import type { Merchant } from '../../kit/merchant.js'
import { definePlugin, PRIORITY } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { aclSchema, type AclConfig } from './schema.js'

/** What acl compiles a binding's config into; an empty list is undefined, skipped with one check. */
export interface AclState {
  readonly allow: ReadonlySet<string> | undefined
  readonly deny: ReadonlySet<string> | undefined
}

/** True when one of the merchant's groups is in `groups` (a merchant has a handful of groups). */
function inAny (merchant: Merchant, groups: ReadonlySet<string>): boolean {
  for (const group of merchant.groups) if (groups.has(group)) return true
  return false
}

/**
 * acl: admits or refuses the identified merchant by its groups. Runs after authentication (which
 * identifies the merchant) and before rate limits (a refused merchant spends no quota). Deny wins
 * over allow. A request that reaches acl with no merchant is refused with 403
 * TG_ACL_MERCHANT_REQUIRED: the 401 with a challenge is the authentication plugin's to send, and
 * on a route without one, authenticating would not help the client.
 */
export const acl = definePlugin({
  name: 'acl',
  version: '1.0.0',
  // Between authentication (3000) and rate limits (2000).
  priority: PRIORITY.limits + 500,
  schema: aclSchema,

  compile (config: AclConfig): AclState {
    return {
      allow: config.allow.length === 0 ? undefined : new Set(config.allow),
      deny: config.deny.length === 0 ? undefined : new Set(config.deny)
    }
  },

  access (ctx, state): Reply | undefined {
    const merchant = ctx.merchant
    if (merchant === undefined) return errorReply('TG_ACL_MERCHANT_REQUIRED')
    if (state.deny !== undefined && inAny(merchant, state.deny)) return errorReply('TG_ACL_FORBIDDEN')
    if (state.allow !== undefined && !inAny(merchant, state.allow)) return errorReply('TG_ACL_FORBIDDEN')
    return undefined
  }
})
