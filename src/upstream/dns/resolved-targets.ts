import { isIP } from 'node:net'
import { targetId, toTargets, type TargetEntry } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { ServiceEntry } from '../../config/schema/service.js'
import type { WantedName } from './dns-cache.js'
import { nameSettingsOf, type AddressFamily } from './settings.js'

/**
 * The numeric IPv4 forms the system's address parser takes besides dotted quads (`127.1`,
 * `0x7f000001`, `2130706433`, ...): addresses, not names (no top-level domain is all digits), so
 * they are never sent to DNS and each stays one target, as written.
 */
const NUMERIC_IPV4 = /^(?:0x[0-9a-f]*|\d+)(?:\.(?:0x[0-9a-f]*|\d+)){0,3}$/i

/** Whether `host` is an address (used as it is) rather than a name (resolved). */
export function isAddressLiteral (host: string): boolean {
  return isIP(host) !== 0 || NUMERIC_IPV4.test(host)
}

/** The host names among `entries` (what the DNS cache must keep resolved). */
export function hostNamesOf (entries: readonly TargetEntry[]): string[] {
  return [...new Set(entries.filter((entry) => !isAddressLiteral(entry.host)).map((entry) => entry.host.toLowerCase()))]
}

/** The current addresses of a name, or undefined while it is unresolved. */
export type AddressLookup = (name: string, family: AddressFamily) => readonly string[] | undefined

/**
 * The balancer targets of a service's config entries: an address entry is one target; a name
 * becomes one target per address it resolves to now — id `address:port`, so balancer state,
 * ejection and health follow the address, and `hostName` keeps the name for the Host header and
 * TLS — each with the entry's full weight (a name with three addresses draws three shares: each
 * address is a backend of its own). A name not resolved yet stays one target on the name, which
 * the system resolves when it connects. An address reached twice (two names, or a name and a
 * literal) is one target, the first.
 */
export function resolveTargets (entries: readonly TargetEntry[], family: AddressFamily, lookup: AddressLookup): Target[] {
  const targets: Target[] = []
  const seen = new Set<string>()
  const add = (target: Target): void => {
    if (seen.has(target.id)) return
    seen.add(target.id)
    targets.push(target)
  }
  for (const target of toTargets(entries)) {
    const addresses = isAddressLiteral(target.host) ? undefined : lookup(target.host.toLowerCase(), family)
    if (addresses === undefined || addresses.length === 0) {
      add(target)
      continue
    }
    for (const address of addresses) {
      add(Object.freeze({ id: targetId(address, target.port), host: address, port: target.port, weight: target.weight, hostName: target.host }))
    }
  }
  return targets
}

/** Every host name the services list, with the `dns` settings of (the last) service listing it. */
export function wantedNamesOf (services: ReadonlyArray<Pick<ServiceEntry, 'targets' | 'dns'>>): WantedName[] {
  return services.flatMap((service) => {
    const settings = nameSettingsOf(service)
    return hostNamesOf(service.targets).map((name) => ({ name, settings }))
  })
}
