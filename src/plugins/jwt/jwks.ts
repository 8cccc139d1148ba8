import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto'
import { request } from 'undici'
import type { Logger } from '../../kit/logger.js'

/** One usable key of a JWKS document. */
export interface JwksKey {
  readonly kid: string | undefined
  /** The `alg` the document pins the key to, if any. */
  readonly alg: string | undefined
  readonly key: KeyObject
}

/** How a JWKS source fetches; the newest binding's settings apply to a shared source. */
export interface JwksSettings {
  readonly ttlMs: number
  /** Least time between two fetches caused by unknown kids. */
  readonly refreshIntervalMs: number
  readonly timeoutMs: number
}

/** A JWKS document over 1 MiB is not a key set. */
const MAX_DOCUMENT_BYTES = 1024 * 1024

let fetchFailuresTotal = 0
/** JWKS counters of this worker, for the metrics exporter. */
export function jwksStats (): { fetchFailures: number } {
  return { fetchFailures: fetchFailuresTotal }
}

/** Reads the usable signature keys of a JWKS document; throws when it is not one. */
export function parseJwks (document: unknown): JwksKey[] {
  const list = (document as { keys?: unknown } | null)?.keys
  if (!Array.isArray(list)) throw new Error('the document has no "keys" array')
  const keys: JwksKey[] = []
  for (const jwk of list as Array<Record<string, unknown>>) {
    if (typeof jwk !== 'object' || jwk === null) continue
    // Encryption keys and symmetric keys are not ours to verify with; a broken entry spoils no other.
    if (jwk.use !== undefined && jwk.use !== 'sig') continue
    if (jwk.kty !== 'RSA' && jwk.kty !== 'EC' && jwk.kty !== 'OKP') continue
    if ('d' in jwk) continue // a private key published by mistake is not used
    try {
      const key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' })
      keys.push({ kid: typeof jwk.kid === 'string' ? jwk.kid : undefined, alg: typeof jwk.alg === 'string' ? jwk.alg : undefined, key })
    } catch {
      continue
    }
  }
  if (keys.length === 0) throw new Error('the document holds no usable signature key')
  return keys
}

/** Fetches a URL's JSON, bounded in time and size. */
async function fetchJson (url: string, timeoutMs: number): Promise<unknown> {
  const res = await request(url, { method: 'GET', headers: { accept: 'application/json' }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) })
  if (res.statusCode !== 200) {
    await res.body.dump()
    throw new Error(`status ${res.statusCode}`)
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of res.body) {
    size += (chunk as Buffer).length
    if (size > MAX_DOCUMENT_BYTES) {
      res.body.destroy()
      throw new Error('the document is larger than 1 MiB')
    }
    chunks.push(chunk as Buffer)
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8'))
}

/**
 * The keys of one JWKS URL in this worker. Keys are served from memory; after `ttlMs` the next
 * request triggers a fetch in the background and is still served the keys in hand. A token naming
 * an unknown kid triggers an early fetch, at most once per `refreshIntervalMs`. A failed fetch
 * keeps the last good keys (warned, counted); only the very first load is waited for.
 */
export class JwksSource {
  private keys: readonly JwksKey[] = []
  private fetchedAtMs = -Infinity
  private lastAttemptMs = -Infinity
  private inflight: Promise<void> | undefined

  constructor (
    readonly url: string,
    private settings: JwksSettings,
    private log: Logger,
    private readonly now: () => number = Date.now,
    private readonly fetchDocument: (url: string, timeoutMs: number) => Promise<unknown> = fetchJson
  ) {}

  configure (settings: JwksSettings, log: Logger): void {
    this.settings = settings
    this.log = log
  }

  /** The keys in hand (a promise only while nothing was ever loaded). */
  current (): readonly JwksKey[] | Promise<readonly JwksKey[]> {
    const nowMs = this.now()
    if (this.fetchedAtMs === -Infinity) {
      // Never loaded: wait for a fetch, but a dead issuer is asked at most once per refresh interval.
      if (this.inflight === undefined && nowMs - this.lastAttemptMs < this.settings.refreshIntervalMs) return this.keys
      return this.load(nowMs).then(() => this.keys)
    }
    if (nowMs - this.fetchedAtMs >= this.settings.ttlMs && nowMs - this.lastAttemptMs >= this.settings.refreshIntervalMs) void this.load(nowMs)
    return this.keys
  }

  /** For a kid not in hand: fetches again unless a fetch ran within the refresh interval. */
  refresh (): readonly JwksKey[] | Promise<readonly JwksKey[]> {
    const nowMs = this.now()
    if (this.inflight !== undefined) return this.inflight.then(() => this.keys)
    if (nowMs - this.lastAttemptMs < this.settings.refreshIntervalMs) return this.keys
    return this.load(nowMs).then(() => this.keys)
  }

  /** One fetch at a time; never rejects. */
  private load (nowMs: number): Promise<void> {
    if (this.inflight !== undefined) return this.inflight
    this.lastAttemptMs = nowMs
    this.inflight = this.fetchDocument(this.url, this.settings.timeoutMs).then((document) => {
      this.keys = parseJwks(document)
      this.fetchedAtMs = this.now()
    }).catch((error: unknown) => {
      fetchFailuresTotal++
      this.log.warn({ url: this.url, err: error, keys_kept: this.keys.length }, 'jwt: fetching the JWKS failed; the last good keys stay in use')
    }).finally(() => { this.inflight = undefined })
    return this.inflight
  }
}

/** The JWKS sources of this worker by URL, shared by bindings and config versions (keys survive a reload). */
const sources = new Map<string, JwksSource>()

/** The worker's source of `url`, created on first use; the newest settings apply. */
export function jwksSource (url: string, settings: JwksSettings, log: Logger): JwksSource {
  let source = sources.get(url)
  if (source === undefined) sources.set(url, (source = new JwksSource(url, settings, log)))
  else source.configure(settings, log)
  return source
}
