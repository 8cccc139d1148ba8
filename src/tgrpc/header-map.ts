/**
 * The TG-RPC header map: a sequence of entries, each `key length u8, key bytes (ASCII, lower
 * case), value length u16 BE, value bytes (UTF-8)`. Order is kept; a key may repeat (the last one
 * wins for well-known keys).
 */
import { TgRpcProtocolError } from './errors.js'

export type HeaderEntries = ReadonlyArray<readonly [string, string]>

// Key bytes are checked by table rather than by a regular expression: the header map is read and
// written for every call, and the table costs a fraction of a regex match per key.
const KEY_BYTE = new Uint8Array(256)
for (const c of 'abcdefghijklmnopqrstuvwxyz0123456789') KEY_BYTE[c.charCodeAt(0)] = 2 // may start a key
for (const c of '._-') KEY_BYTE[c.charCodeAt(0)] = 1

function isKeyText (key: string): boolean {
  const length = key.length
  if (length === 0 || length > 255 || KEY_BYTE[key.charCodeAt(0)] !== 2) return false
  for (let i = 1; i < length; i++) {
    const code = key.charCodeAt(i)
    if (code > 0x7f || KEY_BYTE[code] === 0) return false
  }
  return true
}

function isKeyBytes (source: Buffer, start: number, end: number): boolean {
  if (KEY_BYTE[source[start] as number] !== 2) return false
  for (let i = start + 1; i < end; i++) if (KEY_BYTE[source[i] as number] === 0) return false
  return true
}

// The keys every call carries, kept as one string each instead of a new string per frame.
const KNOWN_KEYS = new Map<number, string[]>()
for (const key of ['service', 'method', 'deadline-ms', 'traceparent', 'merchant-id', 'request-id', 'content-type', 'message', 'http-status']) {
  const sameLength = KNOWN_KEYS.get(key.length) ?? []
  sameLength.push(key)
  KNOWN_KEYS.set(key.length, sameLength)
}

function keyAt (source: Buffer, start: number, end: number): string {
  const candidates = KNOWN_KEYS.get(end - start)
  if (candidates !== undefined) {
    for (const key of candidates) if (sameBytes(key, source, start)) return key
  }
  return source.toString('latin1', start, end)
}

function sameBytes (key: string, source: Buffer, start: number): boolean {
  for (let i = 0; i < key.length; i++) if (key.charCodeAt(i) !== source[start + i]) return false
  return true
}

/** Bytes the entries take on the wire. Throws on a key that is not lower-case ASCII or a value over 65535 bytes. */
export function headerMapBytes (entries: HeaderEntries): number {
  let total = 0
  for (const [key, value] of entries) {
    if (!isKeyText(key)) throw new TypeError(`TG-RPC header key '${key}' must be 1–255 bytes of [a-z0-9._-]`)
    const valueBytes = Buffer.byteLength(value)
    if (valueBytes > 0xffff) throw new TypeError(`TG-RPC header '${key}' value is ${valueBytes} bytes; the most is 65535`)
    total += 3 + key.length + valueBytes
  }
  return total
}

/** Writes the entries at `offset` of `target` (which has room: see headerMapBytes); returns the end offset. */
export function writeHeaderMap (entries: HeaderEntries, target: Buffer, offset: number): number {
  let at = offset
  for (const [key, value] of entries) {
    target[at] = key.length
    target.write(key, at + 1, 'latin1')
    at += 1 + key.length
    const written = target.write(value, at + 2, 'utf8')
    target.writeUInt16BE(written, at)
    at += 2 + written
  }
  return at
}

/** Parses a header map; throws TgRpcProtocolError when an entry runs past the end or a key is invalid. */
export function readHeaderMap (source: Buffer, start: number, end: number): Map<string, string> {
  const headers = new Map<string, string>()
  let at = start
  while (at < end) {
    const keyLength = source[at] as number
    if (keyLength === 0 || at + 1 + keyLength + 2 > end) throw new TgRpcProtocolError('BAD_HEADER_MAP', 'a header map entry runs past the map')
    if (!isKeyBytes(source, at + 1, at + 1 + keyLength)) throw new TgRpcProtocolError('BAD_HEADER_MAP', 'a header map key is not lower-case ASCII')
    const key = keyAt(source, at + 1, at + 1 + keyLength)
    at += 1 + keyLength
    const valueLength = source.readUInt16BE(at)
    at += 2
    if (at + valueLength > end) throw new TgRpcProtocolError('BAD_HEADER_MAP', 'a header map value runs past the map')
    headers.set(key, source.toString('utf8', at, at + valueLength))
    at += valueLength
  }
  return headers
}
