/** A response kept for replay. */
export interface StoredResponse {
  readonly status: number
  /** Flat `[name, value, ...]`, lower-case names; no framing, hop-by-hop or request-id fields. */
  readonly headers: string[]
  readonly body: Buffer
}

/** What `begin` found under a key. */
export type BeginOutcome =
  | { readonly kind: 'acquired' }
  | { readonly kind: 'in-flight', readonly fingerprint: string }
  | { readonly kind: 'done', readonly fingerprint: string, readonly response: StoredResponse }

/**
 * Where keys live: the worker's memory or Redis, behind one shape. `token` identifies the request
 * holding a key, so only its owner completes or releases it (a lock that expired and was taken by
 * another request is left alone).
 */
export interface IdempotencyStore {
  /** Takes the key for `fingerprint` when it is free (held for `lockTtlMs`), else says what holds it. */
  begin (key: string, fingerprint: string, token: string, lockTtlMs: number): Promise<BeginOutcome>
  /** Replaces the owner's lock by the response, kept for `ttlMs`. */
  complete (key: string, fingerprint: string, token: string, response: StoredResponse, ttlMs: number): Promise<void>
  /** Frees the key when `token` still holds it. */
  release (key: string, fingerprint: string, token: string): Promise<void>
}

/** The stored form of a key's value (Redis keeps it as JSON text, the worker store as is). */
export type Entry =
  | { readonly fp: string, readonly lock: string }
  | { readonly fp: string, readonly status: number, readonly headers: string[], readonly body: string }

export function lockEntry (fingerprint: string, token: string): Entry {
  return { fp: fingerprint, lock: token }
}

export function responseEntry (fingerprint: string, response: StoredResponse): Entry {
  return { fp: fingerprint, status: response.status, headers: response.headers, body: response.body.toString('base64') }
}

export function outcomeOf (entry: Entry): BeginOutcome {
  if ('lock' in entry) return { kind: 'in-flight', fingerprint: entry.fp }
  return { kind: 'done', fingerprint: entry.fp, response: { status: entry.status, headers: entry.headers, body: Buffer.from(entry.body, 'base64') } }
}
