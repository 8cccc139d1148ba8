import type { GatewaySettings } from '../../config/schema/gateway.js'
import type { ServiceEntry } from '../../config/schema/service.js'

/** Which address families a name resolves to. */
export type AddressFamily = 'ipv4' | 'ipv6' | 'any'

/** How the answers for one name are kept (a service's `dns` section, in milliseconds). */
export interface NameSettings {
  readonly family: AddressFamily
  /** An answer's TTL is raised to at least this. */
  readonly ttlMinMs: number
  /** An answer's TTL is cut to at most this. */
  readonly ttlMaxMs: number
  /** While resolution fails, the last good answer is used this long after it expired. */
  readonly staleMs: number
  /** TTL of answers from the system resolver, which gives none. */
  readonly defaultTtlMs: number
  /** Wait before the next try after a failed resolution. */
  readonly retryMs: number
}

/** Where and how names are resolved (`gateway.dns`). */
export interface ResolverSettings {
  /** DNS servers (`ip` or `ip:port`); empty: the system's. */
  readonly servers: readonly string[]
  /** Time limit of one query, ms. */
  readonly timeoutMs: number
  /** Tries per server. */
  readonly tries: number
}

/** A service's name settings, from its validated config. */
export function nameSettingsOf (service: Pick<ServiceEntry, 'dns'>): NameSettings {
  const d = service.dns
  return {
    family: d.family,
    ttlMinMs: d.ttl_min_s * 1000,
    ttlMaxMs: d.ttl_max_s * 1000,
    staleMs: d.stale_s * 1000,
    defaultTtlMs: d.default_ttl_s * 1000,
    retryMs: d.retry_s * 1000
  }
}

/** The resolver settings of a validated gateway config. */
export function resolverSettingsOf (gateway: Pick<GatewaySettings, 'dns'>): ResolverSettings {
  return { servers: gateway.dns.servers, timeoutMs: gateway.dns.timeout_ms, tries: gateway.dns.tries }
}
