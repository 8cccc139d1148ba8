/** Cross checks of active health checks: each service sets only the fields its protocol's check uses. */
import type { ServiceEntry } from '../schema/service.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'

/** Fields of an HTTP GET check, meaningless to a TG-RPC or gRPC health call. */
const HTTP_FIELDS = ['path', 'expected_statuses', 'https', 'host'] as const
/** Fields of one RPC protocol's check, by the protocol that uses them. */
const RPC_FIELDS = { grpc_service: 'grpc', tgrpc_service: 'tgrpc' } as const
/** What the check of an RPC protocol calls, for the reason of a refused field. */
const RPC_CHECK = { grpc: 'grpc.health.v1.Health/Check', tgrpc: 'the TG-RPC method tgrpc.health/check' } as const

/**
 * Refuses, in `health_checks.active`, the HTTP fields (`path`, `expected_statuses`, `https`,
 * `host`) on tgrpc and grpc services, whose checks are health calls in their own protocol, and
 * `grpc_service` / `tgrpc_service` on services of another protocol. Silently ignoring them would
 * let an operator believe a path or status is checked when it is not.
 */
export function checkActiveHealth (services: ReadonlyArray<Item<ServiceEntry>>, problems: ProblemList): void {
  for (const { at, entry } of services) {
    const active = entry.health_checks.active
    if (active === undefined) continue
    const protocol = entry.protocol
    if (protocol === 'grpc' || protocol === 'tgrpc') {
      for (const field of HTTP_FIELDS) {
        if (active[field] !== undefined) problems.add(`${at}/health_checks/active/${field}`, `an HTTP check setting: ${protocol} services are checked with ${RPC_CHECK[protocol]}, which has no ${field}`)
      }
    }
    for (const [field, owner] of Object.entries(RPC_FIELDS)) {
      if (active[field as keyof typeof RPC_FIELDS] !== undefined && protocol !== owner) problems.add(`${at}/health_checks/active/${field}`, `only used by ${owner} services (service '${entry.id}' speaks ${protocol})`)
    }
  }
}
