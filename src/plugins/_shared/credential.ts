/**
 * The credential an authentication plugin accepted, as a tagged union so each authentication
 * plugin (key-auth, merchant-signature, jwt) adds its own member here rather than
 * declaring a conflicting `credential` slot of its own.
 */
export type Credential =
  | {
    readonly kind: 'api-key'
    /** The label of the key that matched (which of a merchant's keys during rotation), if it has one. */
    readonly label: string | undefined
  }
  | {
    readonly kind: 'signature'
    /** The scheme the request was signed with (`tg-hmac-sha256`, `md5`, `hmac`, `hmac-sha256`). */
    readonly scheme: string
    /** The id of the merchant secret that verified (which one during rotation). */
    readonly secretId: string
  }
  | {
    readonly kind: 'jwt'
    /** The algorithm of the verified token. */
    readonly algorithm: string
    /** The kid of the key that verified it, if the key has one. */
    readonly kid: string | undefined
    /** The token's `iss`, if any. */
    readonly issuer: string | undefined
  }

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** Set by the authentication plugin that identified the merchant. */
    credential?: Credential
  }
}
