import { promises as dns } from 'node:dns'
import type { AddressFamily, ResolverSettings } from './settings.js'

/** A good answer for a name: its addresses and how long they may be used. */
export interface NameAnswer {
  /** Sorted, without duplicates; never empty. */
  readonly addresses: readonly string[]
  /** The answer's TTL in ms (the lowest of its records), or undefined from the system resolver, which gives none. */
  readonly ttlMs: number | undefined
  /** `dns`: from the DNS servers; `system`: from the system resolver (hosts file, e.g. localhost). */
  readonly source: 'dns' | 'system'
}

/** Resolves names to addresses; rejects when it found none. */
export interface NameResolver {
  /**
   * @param useSystem whether the system resolver may answer when DNS failed (not only when DNS
   * said the name does not exist): true while no good answer is known, so a name is never left
   * unresolved just because no DNS server is reachable.
   */
  resolve (name: string, family: AddressFamily, useSystem: boolean): Promise<NameAnswer>
  /** Cancels the queries in flight. */
  cancel (): void
}

/** c-ares codes for "the name or this record type does not exist": DNS answered, just not with addresses. */
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA'])

type Records = Array<{ address: string, ttl: number }>

/**
 * The resolver of `gateway.dns`: A and/or AAAA queries with their TTLs through a
 * `dns.promises.Resolver` (the configured servers, or the system's); when DNS has no address for
 * the name (NXDOMAIN, NODATA), the system resolver (`dns.lookup`: /etc/hosts, `localhost`) is
 * asked, and its answer has no TTL. A DNS failure (timeout, SERVFAIL, refused) rejects, so the
 * cache keeps its stale answer, unless `useSystem` allows the system resolver to try.
 */
export function dnsNameResolver (settings: ResolverSettings): NameResolver {
  const resolver = new dns.Resolver({ timeout: settings.timeoutMs, tries: settings.tries })
  if (settings.servers.length > 0) resolver.setServers([...settings.servers])
  return {
    async resolve (name, family, useSystem) {
      const queries: Array<Promise<Records>> = []
      if (family !== 'ipv6') queries.push(resolver.resolve4(name, { ttl: true }))
      if (family !== 'ipv4') queries.push(resolver.resolve6(name, { ttl: true }))
      const results = await Promise.allSettled(queries)
      const records = results.flatMap((r) => r.status === 'fulfilled' ? r.value : [])
      if (records.length > 0) {
        return { addresses: [...new Set(records.map((r) => r.address))].sort(), ttlMs: Math.min(...records.map((r) => r.ttl)) * 1000, source: 'dns' }
      }
      const failures = results.flatMap((r) => r.status === 'rejected' ? [r.reason as NodeJS.ErrnoException] : [])
      const dnsFailed = failures.find((error) => !NOT_FOUND.has(String(error.code)))
      if (dnsFailed !== undefined && !useSystem) throw dnsFailed
      return await systemAnswer(name, family, dnsFailed)
    },
    cancel: () => resolver.cancel()
  }
}

async function systemAnswer (name: string, family: AddressFamily, dnsFailure: Error | undefined): Promise<NameAnswer> {
  let found: Array<{ address: string }>
  try {
    found = await dns.lookup(name, { all: true, family: family === 'ipv4' ? 4 : family === 'ipv6' ? 6 : 0 })
  } catch (error) {
    throw dnsFailure ?? error
  }
  if (found.length === 0) throw dnsFailure ?? new Error(`${name}: no address`)
  return { addresses: [...new Set(found.map((r) => r.address))].sort(), ttlMs: undefined, source: 'system' }
}
