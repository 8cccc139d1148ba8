/** Cross checks of routes: service references, path patterns, duplicate paths. */
import type { RouteEntry } from '../schema/route.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'
import { checkPathPattern } from '../../router/route-spec.js'

/**
 * Checks one path pattern with the router's own compile rules (normalised form, one trailing
 * '/*', regexes that compile), so a config that passes validation always compiles.
 */
export function pathPatternProblem (path: string): string | undefined {
  return checkPathPattern(path)
}

/** What makes two path entries the same: sorted hosts, sorted methods and the path. */
function matchKey (route: RouteEntry, path: string): string {
  const hosts = [...new Set((route.hosts ?? []).map((h) => h.toLowerCase()))].sort().join(',')
  const methods = [...new Set((route.methods ?? []).map((m) => m.toUpperCase()))].sort().join(',')
  return `${hosts}\0${methods}\0${path}`
}

/**
 * Reports unknown services, bad path patterns, and a path that another route (or the same one)
 * already has with identical hosts and methods: the router could not tell them apart.
 */
export function checkRoutes (routes: ReadonlyArray<Item<RouteEntry>>, serviceIds: ReadonlySet<string>, problems: ProblemList): void {
  const seen = new Map<string, { at: string, route: string }>()
  for (const { at, entry } of routes) {
    if (!serviceIds.has(entry.service)) problems.add(`${at}/service`, `unknown service '${entry.service}'`)
    entry.paths.forEach((path, k) => {
      const reason = pathPatternProblem(path)
      if (reason !== undefined) problems.add(`${at}/paths/${k}`, reason)
      const key = matchKey(entry, path)
      const earlier = seen.get(key)
      if (earlier === undefined) seen.set(key, { at: `${at}/paths/${k}`, route: entry.id })
      else problems.add(`${at}/paths/${k}`, `path '${path}' with the same hosts and methods is already routed by route '${earlier.route}' (${earlier.at})`)
    })
  }
}
