import { BlockList, isIPv4, isIPv6 } from 'node:net'
import type { HeaderList } from '../kit/headers.js'

/** Which X-Forwarded-* and Via fields the gateway sets upstream (the config's `forwarded`). */
export interface ForwardedSettings {
  readonly x_forwarded_for: boolean
  readonly x_forwarded_proto: boolean
  readonly x_forwarded_host: boolean
  readonly x_forwarded_port: boolean
  readonly via: boolean
}

/** IPv4-mapped IPv6 peers (`::ffff:1.2.3.4`, dual-stack sockets) are compared as IPv4. */
export function plainIp (address: string): string {
  return address.startsWith('::ffff:') && isIPv4(address.slice(7)) ? address.slice(7) : address
}

/** The trusted-proxy list: peers whose X-Forwarded-* and request id headers are believed. */
export class TrustedProxies {
  private readonly list = new BlockList()
  readonly empty: boolean

  /** `cidrs` are validated by the config schema: `a.b.c.d/n`, `x::y/n` or bare addresses. */
  constructor (cidrs: readonly string[]) {
    for (const cidr of cidrs) {
      const [address = '', bits] = cidr.split('/')
      const type = isIPv6(address) ? 'ipv6' : 'ipv4'
      if (bits === undefined) this.list.addAddress(address, type)
      else this.list.addSubnet(address, Number(bits), type)
    }
    this.empty = cidrs.length === 0
  }

  trusts (ip: string): boolean {
    if (this.empty || ip === '') return false
    return this.list.check(ip, isIPv6(ip) ? 'ipv6' : 'ipv4')
  }

  /**
   * The client address: the peer itself unless it is a trusted proxy; then the right-most
   * X-Forwarded-For entry that is not a trusted proxy (entries further left are client-supplied
   * and could be forged).
   */
  clientIp (peerIp: string, headers: HeaderList): string {
    if (!this.trusts(peerIp)) return peerIp
    const xff = headers.getAll('x-forwarded-for')
    if (xff.length === 0) return peerIp
    const hops = xff.join(',').split(',')
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = plainIp((hops[i] as string).trim())
      if (hop === '') continue
      if (!isIPv4(hop) && !isIPv6(hop)) return peerIp
      if (!this.trusts(hop)) return hop
    }
    return peerIp
  }
}

/**
 * Sets X-Forwarded-For/Proto/Host/Port and Via on the upstream request. From an untrusted peer the
 * incoming values are replaced; from a trusted proxy XFF is extended and the others are kept.
 */
export function setForwardedHeaders (
  headers: HeaderList, settings: ForwardedSettings, trusted: boolean,
  conn: { peerIp: string, scheme: string, host: string, port: string, httpVersion: string }
): void {
  if (settings.x_forwarded_for) {
    const incoming = trusted ? headers.getAll('x-forwarded-for').join(', ') : ''
    headers.set('x-forwarded-for', incoming === '' ? conn.peerIp : `${incoming}, ${conn.peerIp}`)
  }
  if (settings.x_forwarded_proto && !(trusted && headers.has('x-forwarded-proto'))) headers.set('x-forwarded-proto', conn.scheme)
  if (settings.x_forwarded_host && !(trusted && headers.has('x-forwarded-host')) && conn.host !== '') headers.set('x-forwarded-host', conn.host)
  if (settings.x_forwarded_port && !(trusted && headers.has('x-forwarded-port')) && conn.port !== '') headers.set('x-forwarded-port', conn.port)
  if (settings.via) {
    const hop = `${conn.httpVersion === '2.0' ? '2' : conn.httpVersion} tollgate`
    const incoming = headers.getAll('via').join(', ')
    headers.set('via', incoming === '' ? hop : `${incoming}, ${hop}`)
  }
}
