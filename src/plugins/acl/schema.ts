import { Type, type Static } from '@sinclair/typebox'

/** A merchant group name, as in the merchant's `groups` (config `merchants[].groups`). */
const Group = (description: string) => Type.String({ minLength: 1, maxLength: 128, description })

/** The config of an acl binding. */
export const aclSchema = Type.Object({
  allow: Type.Array(Group('A merchant group admitted.'), {
    default: [],
    uniqueItems: true,
    maxItems: 1024,
    description: 'Groups admitted; when non-empty a merchant must belong to at least one of them. Default [] (every identified merchant).'
  }),
  deny: Type.Array(Group('A merchant group refused.'), {
    default: [],
    uniqueItems: true,
    maxItems: 1024,
    description: 'Groups refused, also when the merchant is in an allowed group too (deny wins). Default [].'
  })
}, { additionalProperties: false })

/** A validated acl config (defaults applied). */
export type AclConfig = Static<typeof aclSchema>
