/** Cross checks of services: distinct targets, hash options that fit together, readable TLS files. */
import type { ServiceEntry } from '../schema/service.js'
import type { ProblemList } from '../problems.js'
import { checkClientCertificate } from './client-certificate.js'
import { reportDuplicates, usableItems, type Item } from './items.js'
import { readConfigFile } from './read-file.js'

/**
 * Reports a target listed twice in one service (balancer state is kept per address, so two
 * entries would silently share it; raise the weight instead), `hash_on: header` without
 * `hash_header` (or `hash_header` with another `hash_on`), `passive_health.max_ejection_ms` below
 * `base_ejection_ms`, `dns.ttl_max_s` below `dns.ttl_min_s`, a `tls.ca_file` that cannot be read and
 * a client certificate (`tls.cert_file`, `tls.key_file`) that is half given, unreadable or broken.
 */
export function checkServices (services: ReadonlyArray<Item<ServiceEntry>>, baseDir: string, problems: ProblemList): void {
  for (const { index, at, entry } of services) {
    const targets = usableItems<ServiceEntry['targets'][number]>(entry.targets, problems, 'services', index, 'targets')
    reportDuplicates(targets, problems, 'target', (t) => `${t.host.toLowerCase()}:${t.port}`, (item) => item.at)
    if (entry.hash_on === 'header' && entry.hash_header === undefined) problems.add(`${at}/hash_header`, "required when hash_on is 'header'")
    if (entry.hash_on !== 'header' && entry.hash_header !== undefined) problems.add(`${at}/hash_header`, `only used when hash_on is 'header' (hash_on is '${entry.hash_on}')`)
    if (entry.passive_health.max_ejection_ms < entry.passive_health.base_ejection_ms) problems.add(`${at}/passive_health/max_ejection_ms`, `must be at least base_ejection_ms (${entry.passive_health.base_ejection_ms})`)
    if (entry.dns.ttl_max_s < entry.dns.ttl_min_s) problems.add(`${at}/dns/ttl_max_s`, `must be at least ttl_min_s (${entry.dns.ttl_min_s})`)
    if (entry.tls.ca_file !== undefined) readConfigFile(entry.tls.ca_file, baseDir, `${at}/tls/ca_file`, problems)
    checkClientCertificate(at, entry.tls, baseDir, problems)
  }
}
