// The signing side of merchant-signature, for merchants' clients: it imports nothing from the
// gateway (only node:crypto), so it can be copied into a client project as one file. The gateway's
// verifier builds its canonical strings with these same functions; the README's test vectors are
// checked against `openssl dgst` as well, so the two sides cannot drift together unnoticed.
import { createHash, createHmac, randomBytes } from 'node:crypto'

/** The first line of the `tg-hmac-sha256` canonical string: names the scheme and its version. */
export const TG_SCHEME_LINE = 'TG1-HMAC-SHA256'

/** The request headers of the `tg-hmac-sha256` scheme (lower-case, as HTTP/2 requires). */
export const TG_HEADERS = {
  appKey: 'x-tg-appkey',
  timestamp: 'x-tg-timestamp',
  nonce: 'x-tg-nonce',
  signature: 'x-tg-signature'
} as const

/** A nonce: 16 to 64 characters of `A-Z a-z 0-9 _ -` (a 128-bit random value in hex or base64url fits). */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/

/** SHA-256 of zero bytes, the body hash of a request without a body. */
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'

/** A query as the raw string after `?`, URLSearchParams, or names to one or several values. */
export type QueryInput = string | URLSearchParams | Readonly<Record<string, string | readonly string[]>>

/** What {@link signRequest} needs. */
export interface SignRequestInput {
  /** The app key: the merchant id the gateway knows the merchant by. */
  readonly appKey: string
  /** One of the merchant's signing secrets. */
  readonly secret: string
  /** HTTP method; upper-cased before signing. */
  readonly method: string
  /** The request path without the query, as sent: starts with `/`, in normal form (see README). */
  readonly path: string
  /** The query; only its decoded name/value pairs matter, not how they are encoded. Default none. */
  readonly query?: QueryInput
  /** The exact body bytes that will be sent (a string is sent as UTF-8). Default empty. */
  readonly body?: string | Uint8Array
  /** Epoch milliseconds. Default `Date.now()`. */
  readonly timestamp?: number
  /** A value never reused with this app key within the time window. Default 32 random hex digits. */
  readonly nonce?: string
}

/** The headers to add to a signed request. */
export interface SignedHeaders {
  'x-tg-appkey': string
  'x-tg-timestamp': string
  'x-tg-nonce': string
  'x-tg-signature': string
}

/** RFC 3986 §2.3: everything but unreserved characters is percent-encoded as UTF-8 with upper-case hex. */
export function encodeRfc3986 (text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase())
}

/** Decodes one form-encoded component: `+` is a space; a malformed escape leaves the text as it is. */
export function decodeFormComponent (text: string): string {
  const plain = text.indexOf('+') === -1 ? text : text.replace(/\+/g, ' ')
  if (plain.indexOf('%') === -1) return plain
  try {
    return decodeURIComponent(plain)
  } catch {
    return plain
  }
}

/**
 * The decoded name/value pairs of a raw query or form body, in order. Empty segments are skipped;
 * a segment without `=` has the empty value.
 */
export function formPairs (raw: string): Array<[string, string]> {
  const pairs: Array<[string, string]> = []
  if (raw === '') return pairs
  for (const segment of raw.split('&')) {
    if (segment === '') continue
    const eq = segment.indexOf('=')
    if (eq === -1) pairs.push([decodeFormComponent(segment), ''])
    else pairs.push([decodeFormComponent(segment.slice(0, eq)), decodeFormComponent(segment.slice(eq + 1))])
  }
  return pairs
}

function queryInputPairs (query: QueryInput): Array<[string, string]> {
  if (typeof query === 'string') return formPairs(query.startsWith('?') ? query.slice(1) : query)
  if (query instanceof URLSearchParams) return [...query.entries()]
  const pairs: Array<[string, string]> = []
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string') pairs.push([name, value])
    else for (const one of value) pairs.push([name, one])
  }
  return pairs
}

/**
 * The canonical query: every pair RFC 3986-encoded as `name=value`, sorted by encoded name then
 * encoded value (ASCII order), joined by `&`; `''` for no query.
 */
export function canonicalQuery (query: QueryInput = ''): string {
  const encoded = queryInputPairs(query).map(([name, value]): [string, string] => [encodeRfc3986(name), encodeRfc3986(value)])
  encoded.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0)
  return encoded.map(([name, value]) => name + '=' + value).join('&')
}

/** Lower-case hex SHA-256 of the body bytes. */
export function bodySha256Hex (body: string | Uint8Array = ''): string {
  if (body.length === 0) return EMPTY_BODY_SHA256
  return createHash('sha256').update(body).digest('hex')
}

/** The fields of a `tg-hmac-sha256` canonical string. */
export interface CanonicalFields {
  readonly appKey: string
  /** Epoch milliseconds, as the decimal digits sent in `X-Tg-Timestamp`. */
  readonly timestamp: string
  readonly nonce: string
  readonly method: string
  readonly path: string
  /** Already canonical (see {@link canonicalQuery}). */
  readonly canonicalQuery: string
  readonly bodySha256Hex: string
}

/** The string a `tg-hmac-sha256` signature is the HMAC of: eight lines joined by `\n`, no trailing newline. */
export function canonicalString (fields: CanonicalFields): string {
  return TG_SCHEME_LINE + '\n' + fields.appKey + '\n' + fields.timestamp + '\n' + fields.nonce + '\n' +
    fields.method.toUpperCase() + '\n' + fields.path + '\n' + fields.canonicalQuery + '\n' + fields.bodySha256Hex
}

/** HMAC-SHA256 of a canonical string with a secret, as raw bytes (the signature is their lower-case hex). */
export function tgSignatureDigest (secret: string, canonical: string): Buffer {
  return createHmac('sha256', secret).update(canonical).digest()
}

function checkInput (input: SignRequestInput, timestamp: number, nonce: string): void {
  if (input.appKey === '' || /[\r\n]/.test(input.appKey)) throw new TypeError('signRequest: appKey must be a non-empty string without line breaks')
  if (input.secret === '') throw new TypeError('signRequest: secret must not be empty')
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(input.method)) throw new TypeError('signRequest: method must be an HTTP token')
  if (!input.path.startsWith('/') || /[?#\s]/.test(input.path)) throw new TypeError('signRequest: path must start with "/" and hold no query, fragment or whitespace')
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new RangeError('signRequest: timestamp must be a non-negative integer of epoch milliseconds')
  if (!NONCE_PATTERN.test(nonce)) throw new TypeError('signRequest: nonce must be 16 to 64 characters of A-Z a-z 0-9 _ -')
}

/**
 * Signs a request with the `tg-hmac-sha256` scheme and returns the four headers to send with it.
 * Send the path, query and body exactly as signed (the query may be re-encoded: only its decoded
 * pairs are signed). Throws a TypeError or RangeError naming the option when an input is unusable.
 */
export function signRequest (input: SignRequestInput): SignedHeaders {
  const timestamp = input.timestamp ?? Date.now()
  const nonce = input.nonce ?? randomBytes(16).toString('hex')
  checkInput(input, timestamp, nonce)
  const canonical = canonicalString({
    appKey: input.appKey,
    timestamp: String(timestamp),
    nonce,
    method: input.method,
    path: input.path,
    canonicalQuery: canonicalQuery(input.query),
    bodySha256Hex: bodySha256Hex(input.body)
  })
  return {
    'x-tg-appkey': input.appKey,
    'x-tg-timestamp': String(timestamp),
    'x-tg-nonce': nonce,
    'x-tg-signature': tgSignatureDigest(input.secret, canonical).toString('hex')
  }
}

/** The `sign_method` values of the JD/TOP compatibility schemes. */
export const COMPAT_SIGN_METHODS = ['md5', 'hmac', 'hmac-sha256'] as const
export type CompatSignMethod = typeof COMPAT_SIGN_METHODS[number]

/**
 * The JD/TOP base string: parameters other than `sign`, with a non-empty name and value, sorted by
 * name (UTF-16 code unit order, as Java's and JavaScript's default sorts), as `name1value1name2value2…`.
 */
export function compatBaseString (params: Iterable<readonly [string, string]>): string {
  const kept: Array<readonly [string, string]> = []
  for (const pair of params) if (pair[0] !== 'sign' && pair[0] !== '' && pair[1] !== '') kept.push(pair)
  kept.sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)
  let base = ''
  for (const [name, value] of kept) base += name + value
  return base
}

/**
 * The raw digest of a JD/TOP signature: `md5` = MD5(secret + base + secret) (JD and TOP alike),
 * `hmac` = HMAC-MD5(secret, base), `hmac-sha256` = HMAC-SHA256(secret, base). UTF-8 throughout.
 */
export function compatDigest (method: CompatSignMethod, secret: string, base: string): Buffer {
  switch (method) {
    case 'md5': return createHash('md5').update(secret + base + secret).digest()
    case 'hmac': return createHmac('md5', secret).update(base).digest()
    case 'hmac-sha256': return createHmac('sha256', secret).update(base).digest()
  }
}

/**
 * Signs JD/TOP-style parameters (every parameter sent, query and form body together, without
 * `sign`): the value to send as `sign`, upper-case hex.
 */
export function signCompatParams (method: CompatSignMethod, secret: string, params: Readonly<Record<string, string>>): string {
  return compatDigest(method, secret, compatBaseString(Object.entries(params))).toString('hex').toUpperCase()
}
