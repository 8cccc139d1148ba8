import { isIP } from 'node:net'

/** True for an address only this host can reach: 127.0.0.0/8, ::1, "localhost". */
export function isLoopback (host: string): boolean {
  if (host === 'localhost' || host === '::1') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host.startsWith('::ffff:127.')
}
