import { Type, type Static } from '@sinclair/typebox'
import { FORMAT } from '../../config/schema/typedefs.js'

/** An address or a CIDR block, checked by the config's `tg-cidr` format. */
const Entry = (description: string) => Type.String({ format: FORMAT.cidr, maxLength: 64, description })

/**
 * 65 536 entries per list: a BlockList checks rules one by one, so a list is meant for the
 * addresses of partners and offices, not for a threat feed (use a firewall for those).
 */
const MAX_ENTRIES = 65536

/** The config of an ip-restriction binding. */
export const ipRestrictionSchema = Type.Object({
  allow: Type.Array(Entry("An IPv4/IPv6 address or CIDR block admitted, e.g. '203.0.113.0/24' or '2001:db8::/32'."), {
    default: [],
    maxItems: MAX_ENTRIES,
    description: 'Addresses and CIDR blocks admitted; when non-empty every other client is refused. Default [] (no allow list).'
  }),
  deny: Type.Array(Entry("An IPv4/IPv6 address or CIDR block refused, e.g. '198.51.100.7' or 'fd00::/8'."), {
    default: [],
    maxItems: MAX_ENTRIES,
    description: 'Addresses and CIDR blocks refused, also when they are in allow (deny wins). Default [].'
  })
}, { additionalProperties: false })

/** A validated ip-restriction config (defaults applied). */
export type IpRestrictionConfig = Static<typeof ipRestrictionSchema>
