/**
 * The credential an authentication plugin accepted, as a tagged union so each authentication
 * plugin (key-auth now; merchant-signature and jwt later) adds its own member here rather than
 * declaring a conflicting `credential` slot of its own.
 */
export type Credential =
  | {
    readonly kind: 'api-key'
    /** The label of the key that matched (which of a merchant's keys during rotation), if it has one. */
    readonly label: string | undefined
  }

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** Set by the authentication plugin that identified the merchant. */
    credential?: Credential
  }
}
