/**
 * The TG-RPC header map: a sequence of entries, each `key length u8, key bytes (ASCII, lower
 * case), value length u16 BE, value bytes (UTF-8)`. Order is kept; a key may repeat (the last one
 * wins for well-known keys).
 */
import { TgRpcProtocolError } from './errors.js'

export type HeaderEntries = ReadonlyArray<readonly [string, string]>

const KEY_PATTERN = /^[a-z0-9][a-z0-9._-]{0,254}$/

/** Bytes the entries take on the wire. Throws on a key that is not lower-case ASCII or a value over 65535 bytes. */
export function headerMapBytes (entries: HeaderEntries): number {
  let total = 0
  for (const [key, value] of entries) {
    if (!KEY_PATTERN.test(key)) throw new TypeError(`TG-RPC header key '${key}' must be 1–255 bytes of [a-z0-9._-]`)
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
    const key = source.toString('latin1', at + 1, at + 1 + keyLength)
    if (!KEY_PATTERN.test(key)) throw new TgRpcProtocolError('BAD_HEADER_MAP', 'a header map key is not lower-case ASCII')
    at += 1 + keyLength
    const valueLength = source.readUInt16BE(at)
    at += 2
    if (at + valueLength > end) throw new TgRpcProtocolError('BAD_HEADER_MAP', 'a header map value runs past the map')
    headers.set(key, source.toString('utf8', at, at + valueLength))
    at += valueLength
  }
  return headers
}
