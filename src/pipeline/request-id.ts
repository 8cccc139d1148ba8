import { randomUUID } from 'node:crypto'

/** Longest incoming request id accepted; longer ones are replaced (log and header hygiene). */
const MAX_INCOMING_ID_LENGTH = 200
const SAFE_ID = /^[\x21-\x7e]+$/

/**
 * Generated ids have the UUID shape: a random prefix drawn once per process (the first 24 characters
 * of a random UUID, 74 random bits) and a 48-bit counter. Unique across workers and restarts like a
 * random UUID, but one string concatenation per request instead of a call into crypto.
 */
const ID_PREFIX = randomUUID().slice(0, 24)
let idCounter = 0

function nextRequestId (): string {
  idCounter = (idCounter + 1) % 0x1000000000000
  return ID_PREFIX + idCounter.toString(16).padStart(12, '0')
}

/** Keeps a trusted incoming id when it is printable ASCII of sane length; otherwise generates one. */
export function decideRequestId (incoming: string | undefined, trusted: boolean): string {
  if (trusted && incoming !== undefined && incoming.length > 0 && incoming.length <= MAX_INCOMING_ID_LENGTH && SAFE_ID.test(incoming)) {
    return incoming
  }
  return nextRequestId()
}
