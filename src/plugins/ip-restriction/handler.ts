import { BlockList } from 'node:net'
import { definePlugin, PRIORITY, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { parseCidr } from '../_shared/cidr.js'
import { ipRestrictionSchema, type IpRestrictionConfig } from './schema.js'

/** What ip-restriction compiles a binding's config into. */
export interface IpRestrictionState {
  /** Undefined when the config's list is empty, so the request path skips it with one check. */
  readonly allow: BlockList | undefined
  readonly deny: BlockList | undefined
}

/** Builds a BlockList from validated entries; undefined for an empty list. */
function blockList (entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined
  const list = new BlockList()
  for (const entry of entries) {
    // The schema's tg-cidr format admitted every entry, so parsing cannot fail here.
    const block = parseCidr(entry)
    if (block === undefined) continue
    if (block.prefix === (block.family === 'ipv4' ? 32 : 128)) list.addAddress(block.address, block.family)
    else list.addSubnet(block.address, block.prefix, block.family)
  }
  return list
}

/**
 * True when `ip` is in `list`. `clientIp` is always an IP (a socket peer or a forwarded hop the
 * trusted-proxy rules checked), so a colon is enough to tell the family; an address BlockList
 * refuses anyway is in no list.
 */
function listed (list: BlockList, ip: string): boolean {
  try {
    return list.check(ip, ip.indexOf(':') === -1 ? 'ipv4' : 'ipv6')
  } catch {
    return false
  }
}

/** A refusal; fresh per reply because the runner may add to it. */
function refuse (): Reply {
  return errorReply('TG_IP_FORBIDDEN')
}

/**
 * ip-restriction: admits or refuses a request by its client address (`ctx.request.clientIp`, the
 * address the trusted-proxy rules decided: the peer itself unless it is a trusted proxy). The deny
 * list wins over the allow list; a non-empty allow list refuses every address it does not hold.
 */
export const ipRestriction = definePlugin({
  name: 'ip-restriction',
  version: '1.0.0',
  priority: PRIORITY.security,
  schema: ipRestrictionSchema,

  compile (config: IpRestrictionConfig, env: PluginEnv): IpRestrictionState {
    if (config.allow.length === 0 && config.deny.length === 0) {
      env.log.warn({ binding: env.bindingId }, 'ip-restriction has empty allow and deny lists: it admits every client')
    }
    return { allow: blockList(config.allow), deny: blockList(config.deny) }
  },

  access (ctx, state) {
    const ip = ctx.request.clientIp
    if (state.deny !== undefined && listed(state.deny, ip)) return refuse()
    if (state.allow !== undefined && !listed(state.allow, ip)) return refuse()
    return undefined
  }
})
