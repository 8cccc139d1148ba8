/** Cross checks between TG-RPC services and the routes that call them. */
import type { RouteEntry } from '../schema/route.js'
import type { ServiceEntry } from '../schema/service.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'
import { pathTemplateProblem } from '../../conversion/tgrpc/path-params.js'

/**
 * A route to a `tgrpc` service must say which call it makes (`tgrpc:`), and only such a route may;
 * its path parameter template must be usable.
 */
export function checkTgRpcRoutes (routes: ReadonlyArray<Item<RouteEntry>>, services: ReadonlyArray<Item<ServiceEntry>>, problems: ProblemList): void {
  const protocols = new Map(services.map(({ entry }) => [entry.id, entry.protocol]))
  for (const { at, entry } of routes) {
    const protocol = protocols.get(entry.service)
    if (protocol === undefined) continue
    if (protocol === 'tgrpc' && entry.tgrpc === undefined) problems.add(`${at}`, `route to TG-RPC service '${entry.service}' needs a tgrpc mapping (service and method to call)`)
    if (protocol !== 'tgrpc' && entry.tgrpc !== undefined) problems.add(`${at}/tgrpc`, `service '${entry.service}' speaks ${protocol}, not tgrpc`)
    const template = entry.tgrpc?.path_params
    if (template !== undefined) {
      const reason = pathTemplateProblem(template)
      if (reason !== undefined) problems.add(`${at}/tgrpc/path_params`, reason)
    }
  }
}
