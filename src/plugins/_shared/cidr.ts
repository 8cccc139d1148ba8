import { isIP } from 'node:net'

/** An address or a CIDR block, parsed: `prefix` is the full length (32 or 128) for a single address. */
export interface CidrBlock {
  readonly address: string
  readonly prefix: number
  readonly family: 'ipv4' | 'ipv6'
}

/**
 * Parses `a.b.c.d`, `a.b.c.d/n`, `x::y` or `x::y/n` (the config's `tg-cidr` format), or returns
 * undefined. IPv4-mapped IPv6 addresses (`::ffff:1.2.3.4`) are kept as written; clients are
 * compared as plain IPv4 (the pipeline unmaps them), so write IPv4 entries in IPv4 form.
 */
export function parseCidr (value: string): CidrBlock | undefined {
  const slash = value.indexOf('/')
  const address = slash === -1 ? value : value.slice(0, slash)
  const version = isIP(address)
  if (version === 0) return undefined
  const max = version === 4 ? 32 : 128
  if (slash === -1) return { address, prefix: max, family: version === 4 ? 'ipv4' : 'ipv6' }
  const bits = value.slice(slash + 1)
  if (!/^\d{1,3}$/.test(bits) || Number(bits) > max) return undefined
  return { address, prefix: Number(bits), family: version === 4 ? 'ipv4' : 'ipv6' }
}
