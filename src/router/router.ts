import { RadixTrie } from './radix-trie.js'
import { checkRoute, compilePattern, type PathEntry, type RouteMatch, type RouteSpec } from './route-spec.js'

/** A compiled route table. Build it once per config version with `compileRouter`. */
export interface Router {
  /** The routes it was compiled from, in config order. */
  readonly routes: readonly RouteSpec[]
  /**
   * The route for a request, by the precedence in `src/router/README.md`, or undefined when none
   * matches (the caller answers `TG_ROUTE_NOT_FOUND`).
   * @param method upper-case request method
   * @param host lower-case host without port ('' when the request had none)
   * @param path the normalised path from `normaliseRequestTarget`
   */
  match (method: string, host: string, path: string): RouteMatch | undefined
}

/** The path patterns of one host bucket, in the order they are tried. */
class PathTable {
  /** Exact path → entries, methods-listed first, then config order. */
  readonly exact = new Map<string, PathEntry[]>()
  /** Prefix (without `/*`) → entries; the longest matching prefix is tried first. */
  readonly prefixes = new RadixTrie<PathEntry[]>()
  /** Methods-listed first, then config order. */
  readonly regexes: PathEntry[] = []
  private readonly prefixLists: PathEntry[][] = []

  add (entry: PathEntry): void {
    if (entry.kind === 'exact') pushTo(this.exact, entry.key, entry)
    else if (entry.kind === 'prefix') this.prefixes.getOrInsert(entry.key, () => this.track([])).push(entry)
    else this.regexes.push(entry)
  }

  seal (): void {
    for (const list of this.exact.values()) list.sort(byMethodsThenOrder)
    for (const list of this.prefixLists) list.sort(byMethodsThenOrder)
    this.prefixes.seal()
    this.regexes.sort(byMethodsThenOrder)
  }

  find (method: string, path: string): PathEntry | undefined {
    const exact = this.exact.get(path)
    if (exact !== undefined) {
      const entry = firstAllowing(exact, method)
      if (entry !== undefined) return entry
    }
    for (let node = this.prefixes.longest(path); node !== undefined; node = node.up) {
      // A prefix matches only at a segment boundary: `/api` matches `/api` and `/api/x`, not `/apix`.
      const depth = node.depth
      if (depth !== path.length && path.charCodeAt(depth) !== 0x2f) continue
      const entry = firstAllowing(node.value as PathEntry[], method)
      if (entry !== undefined) return entry
    }
    for (const entry of this.regexes) {
      if (!path.startsWith(entry.literalPrefix) || !allows(entry, method)) continue
      if ((entry.regex as RegExp).test(path)) return entry
    }
    return undefined
  }

  private track (list: PathEntry[]): PathEntry[] {
    this.prefixLists.push(list)
    return list
  }
}

/** The routes of one priority value, bucketed by host kind. */
class PriorityLevel {
  readonly exactHosts = new Map<string, PathTable>()
  /** Keyed by the suffix with its dot (`.example.com`), read backwards: longest suffix first. */
  readonly wildcardHosts = new RadixTrie<PathTable>(true)
  anyHost: PathTable | undefined = undefined
  readonly tables: PathTable[] = []

  table (host: string | undefined): PathTable {
    if (host === undefined) return (this.anyHost ??= this.track(new PathTable()))
    if (host.startsWith('*.')) return this.wildcardHosts.getOrInsert(host.slice(1), () => this.track(new PathTable()))
    let table = this.exactHosts.get(host)
    if (table === undefined) this.exactHosts.set(host, (table = this.track(new PathTable())))
    return table
  }

  seal (): void {
    for (const table of this.tables) table.seal()
    this.wildcardHosts.seal()
  }

  find (method: string, host: string, path: string): PathEntry | undefined {
    const exact = this.exactHosts.get(host)
    if (exact !== undefined) {
      const entry = exact.find(method, path)
      if (entry !== undefined) return entry
    }
    for (let node = this.wildcardHosts.longest(host); node !== undefined; node = node.up) {
      // `*.example.com` needs at least one label before `.example.com`.
      if (host.length <= node.depth) continue
      const entry = (node.value as PathTable).find(method, path)
      if (entry !== undefined) return entry
    }
    return this.anyHost?.find(method, path)
  }

  private track (table: PathTable): PathTable {
    this.tables.push(table)
    return table
  }
}

/**
 * Compiles routes into a router. Throws (misuse by code) on a route with an invalid id, pattern,
 * host or method, naming the route and the rule; config validation should have caught these first.
 * Precedence among matching routes: priority, host specificity, path kind, methods listed, config
 * order (details in `src/router/README.md`).
 */
export function compileRouter (routes: readonly RouteSpec[]): Router {
  const levels = new Map<number, PriorityLevel>()
  const ids = new Set<string>()
  routes.forEach((route, routeIndex) => {
    checkRoute(route)
    if (ids.has(route.id)) throw new Error(`router: duplicate route id ${JSON.stringify(route.id)}`)
    ids.add(route.id)
    const priority = route.priority ?? 0
    let level = levels.get(priority)
    if (level === undefined) levels.set(priority, (level = new PriorityLevel()))
    const hosts: ReadonlyArray<string | undefined> = route.hosts !== undefined && route.hosts.length > 0 ? [...new Set(route.hosts)] : [undefined]
    const patterns = [...new Set(route.paths)]
    // Route index dominates pattern index: up to 2^20 patterns per route keep `order` exact.
    const entries = patterns.map((pattern, patternIndex) => compilePattern(route, pattern, routeIndex * 2 ** 20 + patternIndex))
    for (const host of hosts) {
      const table = level.table(host)
      for (const entry of entries) table.add(entry)
    }
  })
  const sorted = [...levels.entries()].sort((a, b) => b[0] - a[0]).map(([, level]) => level)
  for (const level of sorted) level.seal()
  return new CompiledRouter(Object.freeze([...routes]), sorted)
}

class CompiledRouter implements Router {
  readonly routes: readonly RouteSpec[]
  private readonly levels: readonly PriorityLevel[]

  constructor (routes: readonly RouteSpec[], levels: readonly PriorityLevel[]) {
    this.routes = routes
    this.levels = levels
  }

  match (method: string, host: string, path: string): RouteMatch | undefined {
    for (const level of this.levels) {
      const entry = level.find(method, host, path)
      if (entry !== undefined) return { route: entry.route, pattern: entry.pattern, upstreamPath: upstreamPath(entry, path) }
    }
    return undefined
  }
}

function upstreamPath (entry: PathEntry, path: string): string {
  if (!entry.stripPath) return path
  if (entry.kind === 'exact') return '/'
  if (entry.kind === 'prefix') return path.length === entry.key.length ? '/' : path.slice(entry.key.length)
  const found = (entry.regex as RegExp).exec(path)
  // Only a match anchored at the start is a prefix that can be stripped.
  if (found === null || found.index !== 0 || found[0] === '') return path
  const rest = path.slice(found[0].length)
  return rest.startsWith('/') ? rest : '/' + rest
}

function allows (entry: PathEntry, method: string): boolean {
  return entry.methods === undefined || entry.methods.includes(method)
}

function firstAllowing (entries: readonly PathEntry[], method: string): PathEntry | undefined {
  for (const entry of entries) if (allows(entry, method)) return entry
  return undefined
}

function byMethodsThenOrder (a: PathEntry, b: PathEntry): number {
  const methods = (a.methods === undefined ? 1 : 0) - (b.methods === undefined ? 1 : 0)
  return methods !== 0 ? methods : a.order - b.order
}

function pushTo (map: Map<string, PathEntry[]>, key: string, entry: PathEntry): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [entry])
  else list.push(entry)
}
