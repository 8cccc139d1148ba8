import { randomUUID } from 'node:crypto'

/** Longest incoming request id accepted; longer ones are replaced (log and header hygiene). */
const MAX_INCOMING_ID_LENGTH = 200
const SAFE_ID = /^[\x21-\x7e]+$/

/** Keeps a trusted incoming id when it is printable ASCII of sane length; otherwise generates one. */
export function decideRequestId (incoming: string | undefined, trusted: boolean): string {
  if (trusted && incoming !== undefined && incoming.length > 0 && incoming.length <= MAX_INCOMING_ID_LENGTH && SAFE_ID.test(incoming)) {
    return incoming
  }
  return randomUUID()
}
