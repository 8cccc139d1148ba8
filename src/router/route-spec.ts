import { normaliseRequestTarget } from './normalise-path.js'

/**
 * A route as the router needs it; mirrors the config's route entity. Hosts are lower-case without
 * port, methods upper-case. An empty `hosts` or `methods` list means the same as none: any.
 */
export interface RouteSpec {
  readonly id: string
  /** Exact names (`api.example.com`) or wildcards (`*.example.com`); none: any host. */
  readonly hosts?: readonly string[]
  /** Upper-case methods; none: any method. No implicit HEAD for GET. */
  readonly methods?: readonly string[]
  /** `/exact`, `/prefix/*` or `~regex`; at least one. */
  readonly paths: readonly string[]
  /** Higher wins before any other rule; default 0. */
  readonly priority?: number
  /** Remove the matched prefix before proxying; default false. */
  readonly strip_path?: boolean
}

/** The route that matched a request and the path to send upstream. */
export interface RouteMatch {
  readonly route: RouteSpec
  /** The pattern of `route.paths` that matched. */
  readonly pattern: string
  /** The path with the matched prefix removed when `strip_path` is set, else the path; starts with `/`. */
  readonly upstreamPath: string
}

/** How a path pattern matches: `/exact`, `/prefix/*` or `~regex`. */
export type PathKind = 'exact' | 'prefix' | 'regex'

/** One (route, path pattern) pair, the unit the router sorts and matches. */
export interface PathEntry {
  readonly route: RouteSpec
  readonly pattern: string
  readonly kind: PathKind
  /** Exact: the path. Prefix: the prefix without `/*` (`''` for `/*`). Regex: the source. */
  readonly key: string
  readonly regex: RegExp | undefined
  /** Regex: a literal every matching path starts with (`'/v'` for `^/v[0-9]+`), `''` when unknown. */
  readonly literalPrefix: string
  /** Undefined when the route accepts any method. */
  readonly methods: readonly string[] | undefined
  readonly stripPath: boolean
  /** Position of the route in the config, then of the pattern in the route: the last tie-breaker. */
  readonly order: number
}

const METHOD_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Z-]+$/
const HOST_NAME = /^(?:\[[0-9a-f:.]+\]|[a-z0-9_](?:[a-z0-9_.-]*[a-z0-9_])?)$/

function fail (route: RouteSpec, rule: string): never {
  throw new Error(`router: route ${JSON.stringify(route.id)}: ${rule}`)
}

/** Checks a route's fields; throws naming the route and the rule it broke. */
export function checkRoute (route: RouteSpec): void {
  if (typeof route.id !== 'string' || route.id === '') throw new Error('router: every route needs a non-empty string id')
  if (!Array.isArray(route.paths) || route.paths.length === 0) fail(route, 'paths must be a non-empty list')
  if (route.priority !== undefined && !Number.isFinite(route.priority)) fail(route, 'priority must be a finite number')
  for (const method of route.methods ?? []) {
    if (typeof method !== 'string' || !METHOD_TOKEN.test(method)) fail(route, `method ${JSON.stringify(method)} must be an upper-case HTTP token`)
  }
  for (const host of route.hosts ?? []) {
    const name = typeof host === 'string' && host.startsWith('*.') ? host.slice(2) : host
    if (typeof name !== 'string' || !HOST_NAME.test(name)) {
      fail(route, `host ${JSON.stringify(host)} must be a lower-case name without port, optionally starting with "*."`)
    }
  }
}

/**
 * Why `compileRouter` would refuse a path pattern, or undefined when it is valid. Config
 * validation can call this so a config never passes its checks and then fails to compile.
 */
export function checkPathPattern (pattern: string): string | undefined {
  if (typeof pattern !== 'string') return 'a path pattern must be a string'
  if (pattern.startsWith('~')) {
    if (pattern === '~') return 'the regular expression is empty'
    try {
      new RegExp(pattern.slice(1))
    } catch (error) {
      return `the regular expression does not compile: ${(error as Error).message}`
    }
    return undefined
  }
  const isPrefix = pattern.endsWith('/*')
  const path = isPrefix ? pattern.slice(0, -2) : pattern
  if (isPrefix && path === '') return undefined
  if (!path.startsWith('/')) return 'a path pattern must start with "/" or "~"'
  if (path.includes('*')) return '"*" is only allowed as a final "/*"'
  if (isPrefix && path.endsWith('/')) return `a prefix pattern must not end in "//*"; write "${path.replace(/\/+$/, '')}/*"`
  // A literal path can only ever match a request path if it is already in normalised form.
  const normalised = normaliseRequestTarget(path)
  if (!normalised.ok) return `not a valid path: ${normalised.reason}`
  if (normalised.path !== path || path.includes('?')) {
    return `can never match a normalised request path; write ${JSON.stringify(normalised.path + (isPrefix ? '/*' : ''))}`
  }
  return undefined
}

/** Compiles one path pattern of a route into an entry; throws on an invalid pattern. */
export function compilePattern (route: RouteSpec, pattern: string, order: number): PathEntry {
  const problem = checkPathPattern(pattern)
  if (problem !== undefined) fail(route, `path pattern ${JSON.stringify(pattern)}: ${problem}`)
  const methods = route.methods !== undefined && route.methods.length > 0 ? route.methods : undefined
  const base = { route, pattern, methods, stripPath: route.strip_path === true, order }
  if (pattern.startsWith('~')) {
    const source = pattern.slice(1)
    // No flags: test() and exec() stay stateless, so one RegExp serves every request.
    return { ...base, kind: 'regex', key: source, regex: new RegExp(source), literalPrefix: anchoredLiteral(source) }
  }
  if (pattern.endsWith('/*')) return { ...base, kind: 'prefix', key: pattern.slice(0, -2), regex: undefined, literalPrefix: '' }
  return { ...base, kind: 'exact', key: pattern, regex: undefined, literalPrefix: '' }
}

const REGEX_SYNTAX = '\\.^$*+?()[]{}|'
const QUANTIFIERS = '*+?{'

/**
 * The literal text a `^`-anchored regex requires at the start of the path, so that the router can
 * skip most regexes with a `startsWith` instead of running them (regexes are tried one by one).
 * Conservative: stops at the first syntax character, drops a character a quantifier applies to,
 * and gives up on any alternation, which could unanchor the rest.
 */
export function anchoredLiteral (source: string): string {
  if (!source.startsWith('^') || source.includes('|')) return ''
  let end = 1
  while (end < source.length && !REGEX_SYNTAX.includes(source.charAt(end))) end++
  if (end < source.length && QUANTIFIERS.includes(source.charAt(end))) end--
  return source.slice(1, Math.max(1, end))
}
