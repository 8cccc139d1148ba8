import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileRouter } from './router.js'
import type { RouteSpec } from './route-spec.js'
import { seededRandom } from '../upstream/balancers/random.js'

// Checks the compiled router against a naive reference that applies the README's precedence
// literally (sort every matching host/pattern pair by the five keys), on 5,000 generated routes.
// No timing assertions: speed is measured by bench/router-bench.mjs.

const METHODS = ['GET', 'POST', 'PUT', 'DELETE']
const SEGMENTS = ['api', 'v1', 'v2', 'orders', 'users', 'items', 'a', 'b']
const HOSTS = Array.from({ length: 40 }, (_, i) => `h${i}.example.com`)

function generate (count: number, next: () => number): RouteSpec[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T
  const path = (): string => '/' + Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(SEGMENTS)).join('/')
  const routes: RouteSpec[] = []
  for (let i = 0; i < count; i++) {
    const roll = next()
    const hosts = roll < 0.4 ? [pick(HOSTS)] : roll < 0.55 ? [pick(['*.example.com', '*.eu.example.com', '*.h1.example.com'])] : undefined
    const kind = next()
    const pattern = kind < 0.5 ? path() : kind < 0.9 ? (next() < 0.05 ? '/*' : path() + '/*') : `~^${path()}(/|$)`
    const route: RouteSpec = {
      id: `r${i}`,
      paths: [pattern],
      ...(hosts !== undefined ? { hosts } : {}),
      ...(next() < 0.3 ? { methods: [pick(METHODS)] } : {}),
      ...(next() < 0.05 ? { priority: Math.floor(next() * 3) } : {}),
      strip_path: next() < 0.5
    }
    routes.push(route)
  }
  return routes
}

/** The README's rules, applied by brute force. */
function reference (routes: readonly RouteSpec[], method: string, host: string, path: string): string | undefined {
  let best: { id: string, key: number[] } | undefined
  routes.forEach((route, order) => {
    if (route.methods !== undefined && !route.methods.includes(method)) return
    const hostRanks: number[][] = []
    if (route.hosts === undefined) hostRanks.push([0, 0])
    for (const h of route.hosts ?? []) {
      if (h === host) hostRanks.push([2, 0])
      else if (h.startsWith('*.') && host.endsWith(h.slice(1)) && host.length > h.length - 1) hostRanks.push([1, h.length])
    }
    for (const pattern of route.paths) {
      let pathRank: number[] | undefined
      if (pattern.startsWith('~')) {
        if (regexOf(pattern).test(path)) pathRank = [0, 0]
      } else if (pattern.endsWith('/*')) {
        const prefix = pattern.slice(0, -2)
        if (path === prefix || path.startsWith(prefix + '/')) pathRank = [1, prefix.length]
      } else if (pattern === path) {
        pathRank = [2, 0]
      }
      if (pathRank === undefined) continue
      for (const hostRank of hostRanks) {
        // Larger is better for every key but the last, so negate config order.
        const key = [route.priority ?? 0, ...hostRank, ...pathRank, route.methods !== undefined ? 1 : 0, -order]
        if (best === undefined || compare(key, best.key) > 0) best = { id: route.id, key }
      }
    }
  })
  return best?.id
}

const regexes = new Map<string, RegExp>()
function regexOf (pattern: string): RegExp {
  let regex = regexes.get(pattern)
  if (regex === undefined) regexes.set(pattern, (regex = new RegExp(pattern.slice(1))))
  return regex
}

function compare (a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number)
  return 0
}

void test('5,000 generated routes: every lookup agrees with the reference precedence', () => {
  const next = seededRandom(20240601)
  const routes = generate(5000, next)
  const router = compileRouter(routes)
  const hosts = [...HOSTS.slice(0, 5), 'x.eu.example.com', 'a.h1.example.com', 'example.com', 'other.org', '']
  let matched = 0
  for (let i = 0; i < 1500; i++) {
    const method = METHODS[Math.floor(next() * METHODS.length)] as string
    const host = hosts[Math.floor(next() * hosts.length)] as string
    const depth = Math.floor(next() * 5)
    const body = Array.from({ length: depth }, () => SEGMENTS[Math.floor(next() * SEGMENTS.length)]).join('/')
    const path = '/' + body + (body !== '' && next() < 0.1 ? '/' : '')
    const got = router.match(method, host, path)?.route.id
    assert.equal(got, reference(routes, method, host, path), `${method} ${host} ${path}`)
    if (got !== undefined) matched++
  }
  assert.ok(matched > 500, `only ${matched} lookups matched: the generator is too sparse to test much`)
})
