import { test } from 'node:test'
import assert from 'node:assert/strict'
import { compileRouter } from './router.js'
import { anchoredLiteral, checkPathPattern, type RouteSpec } from './route-spec.js'

/** The id of the matching route, or undefined. */
function winner (routes: RouteSpec[], method: string, host: string, path: string): string | undefined {
  return compileRouter(routes).match(method, host, path)?.route.id
}

void test('exact patterns match only the exact path', () => {
  const routes: RouteSpec[] = [{ id: 'r', paths: ['/orders'] }]
  assert.equal(winner(routes, 'GET', 'h', '/orders'), 'r')
  assert.equal(winner(routes, 'GET', 'h', '/orders/'), undefined)
  assert.equal(winner(routes, 'GET', 'h', '/orders/1'), undefined)
  assert.equal(winner(routes, 'GET', 'h', '/order'), undefined)
})

void test('prefix patterns match at a segment boundary only', () => {
  const routes: RouteSpec[] = [{ id: 'r', paths: ['/api/*'] }]
  for (const path of ['/api', '/api/', '/api/x', '/api/x/y']) assert.equal(winner(routes, 'GET', 'h', path), 'r', path)
  for (const path of ['/apix', '/ap', '/', '/x/api']) assert.equal(winner(routes, 'GET', 'h', path), undefined, path)
})

void test('the root prefix /* matches every path', () => {
  const routes: RouteSpec[] = [{ id: 'r', paths: ['/*'] }]
  for (const path of ['/', '/a', '/a/b/']) assert.equal(winner(routes, 'GET', 'h', path), 'r')
})

void test('regex patterns are tested unanchored against the path', () => {
  const routes: RouteSpec[] = [{ id: 'anchored', paths: ['~^/v[0-9]+/users$'] }, { id: 'free', paths: ['~/items/[0-9]+'] }]
  assert.equal(winner(routes, 'GET', 'h', '/v2/users'), 'anchored')
  assert.equal(winner(routes, 'GET', 'h', '/v2/users/1'), undefined)
  assert.equal(winner(routes, 'GET', 'h', '/shop/items/42/photo'), 'free')
})

void test('a shorter prefix is tried when the longer one rejects the method', () => {
  const routes: RouteSpec[] = [
    { id: 'long-post', methods: ['POST'], paths: ['/a/b/*'] },
    { id: 'short', paths: ['/a/*'] }
  ]
  assert.equal(winner(routes, 'POST', 'h', '/a/b/c'), 'long-post')
  assert.equal(winner(routes, 'GET', 'h', '/a/b/c'), 'short')
})

void test('a prefix that shares characters but not a segment does not match', () => {
  const routes: RouteSpec[] = [{ id: 'ab', paths: ['/ab/*'] }, { id: 'a', paths: ['/a/*'] }]
  assert.equal(winner(routes, 'GET', 'h', '/abc/x'), undefined)
  assert.equal(winner(routes, 'GET', 'h', '/ab/x'), 'ab')
  assert.equal(winner(routes, 'GET', 'h', '/a/x'), 'a')
})

// Precedence, one rule per test: each pits the rule's winner against a route that would win on every later rule.

void test('precedence 1: a higher priority wins over host and path specificity', () => {
  const routes: RouteSpec[] = [
    { id: 'specific', hosts: ['api.example.com'], methods: ['GET'], paths: ['/orders'] },
    { id: 'urgent', priority: 10, paths: ['~orders'] }
  ]
  assert.equal(winner(routes, 'GET', 'api.example.com', '/orders'), 'urgent')
})

void test('precedence 1: a negative priority loses to the default', () => {
  const routes: RouteSpec[] = [{ id: 'low', priority: -1, hosts: ['a.com'], paths: ['/x'] }, { id: 'default', paths: ['/*'] }]
  assert.equal(winner(routes, 'GET', 'a.com', '/x'), 'default')
})

void test('precedence 2: an exact host beats a wildcard host, which beats no host', () => {
  const routes: RouteSpec[] = [
    { id: 'any', methods: ['GET'], paths: ['/orders'] },
    { id: 'wild', methods: ['GET'], hosts: ['*.example.com'], paths: ['/*'] },
    { id: 'exact', hosts: ['api.example.com'], paths: ['~.'] }
  ]
  assert.equal(winner(routes, 'GET', 'api.example.com', '/orders'), 'exact')
  assert.equal(winner(routes, 'GET', 'web.example.com', '/orders'), 'wild')
  assert.equal(winner(routes, 'GET', 'other.org', '/orders'), 'any')
})

void test('precedence 2: a longer wildcard suffix beats a shorter one', () => {
  const routes: RouteSpec[] = [
    { id: 'short', methods: ['GET'], hosts: ['*.example.com'], paths: ['/orders'] },
    { id: 'long', hosts: ['*.eu.example.com'], paths: ['~.'] }
  ]
  assert.equal(winner(routes, 'GET', 'shop.eu.example.com', '/orders'), 'long')
  assert.equal(winner(routes, 'GET', 'shop.us.example.com', '/orders'), 'short')
})

void test('precedence 2: a host bucket with no matching path falls through to the next', () => {
  const routes: RouteSpec[] = [
    { id: 'exact', hosts: ['api.example.com'], paths: ['/only'] },
    { id: 'wild', hosts: ['*.example.com'], paths: ['/wild'] },
    { id: 'any', paths: ['/*'] }
  ]
  assert.equal(winner(routes, 'GET', 'api.example.com', '/wild'), 'wild')
  assert.equal(winner(routes, 'GET', 'api.example.com', '/other'), 'any')
})

void test('precedence 3: an exact path beats a prefix, which beats a regex', () => {
  const routes: RouteSpec[] = [
    { id: 'regex', methods: ['GET'], paths: ['~^/api/orders'] },
    { id: 'prefix', methods: ['GET'], paths: ['/api/*'] },
    { id: 'exact', paths: ['/api/orders'] }
  ]
  assert.equal(winner(routes, 'GET', 'h', '/api/orders'), 'exact')
  assert.equal(winner(routes, 'GET', 'h', '/api/orders/1'), 'prefix')
  const noPrefix = routes.filter((r) => r.id !== 'prefix')
  assert.equal(winner(noPrefix, 'GET', 'h', '/api/orders/1'), 'regex')
})

void test('precedence 3: a longer prefix beats a shorter one', () => {
  const routes: RouteSpec[] = [
    { id: 'short', methods: ['GET'], paths: ['/api/*'] },
    { id: 'long', paths: ['/api/orders/*'] }
  ]
  assert.equal(winner(routes, 'GET', 'h', '/api/orders/1'), 'long')
  assert.equal(winner(routes, 'GET', 'h', '/api/users/1'), 'short')
})

void test('precedence 4: a route that lists methods beats one that does not', () => {
  const routes: RouteSpec[] = [{ id: 'any-method', paths: ['/x'] }, { id: 'get', methods: ['GET', 'HEAD'], paths: ['/x'] }]
  assert.equal(winner(routes, 'GET', 'h', '/x'), 'get')
  assert.equal(winner(routes, 'HEAD', 'h', '/x'), 'get')
  assert.equal(winner(routes, 'POST', 'h', '/x'), 'any-method')
})

void test('precedence 4 applies among regexes too, then config order', () => {
  const routes: RouteSpec[] = [
    { id: 'first', paths: ['~^/x'] },
    { id: 'second', paths: ['~^/x/y'] },
    { id: 'with-methods', methods: ['GET'], paths: ['~^/x/y/z'] }
  ]
  assert.equal(winner(routes, 'GET', 'h', '/x/y/z'), 'with-methods')
  assert.equal(winner(routes, 'POST', 'h', '/x/y/z'), 'first')
})

void test('precedence 5: config order breaks the remaining ties', () => {
  const routes: RouteSpec[] = [
    { id: 'one', methods: ['GET'], paths: ['/x', '/api/*'] },
    { id: 'two', methods: ['GET'], paths: ['/x', '/api/*'] }
  ]
  assert.equal(winner(routes, 'GET', 'h', '/x'), 'one')
  assert.equal(winner(routes, 'GET', 'h', '/api/a'), 'one')
  assert.equal(winner([...routes].reverse(), 'GET', 'h', '/x'), 'two')
})

void test('the matched pattern is reported', () => {
  const router = compileRouter([{ id: 'r', paths: ['/a', '/b/*', '~^/c'] }])
  assert.equal(router.match('GET', 'h', '/a')?.pattern, '/a')
  assert.equal(router.match('GET', 'h', '/b/1')?.pattern, '/b/*')
  assert.equal(router.match('GET', 'h', '/cat')?.pattern, '~^/c')
})

void test('wildcard hosts need at least one label before the suffix', () => {
  const routes: RouteSpec[] = [{ id: 'w', hosts: ['*.example.com'], paths: ['/*'] }]
  assert.equal(winner(routes, 'GET', 'a.example.com', '/'), 'w')
  assert.equal(winner(routes, 'GET', 'a.b.example.com', '/'), 'w')
  for (const host of ['example.com', 'aexample.com', 'example.com.evil.org', 'a.example.co', '']) {
    assert.equal(winner(routes, 'GET', host, '/'), undefined, host)
  }
})

void test('exact hosts match only that host and routes with several hosts match each', () => {
  const routes: RouteSpec[] = [{ id: 'r', hosts: ['a.com', 'b.com'], paths: ['/*'] }]
  assert.equal(winner(routes, 'GET', 'a.com', '/'), 'r')
  assert.equal(winner(routes, 'GET', 'b.com', '/'), 'r')
  assert.equal(winner(routes, 'GET', 'c.a.com', '/'), undefined)
  assert.equal(winner(routes, 'GET', 'c.com', '/'), undefined)
})

void test('empty hosts and methods lists mean any', () => {
  const routes: RouteSpec[] = [{ id: 'r', hosts: [], methods: [], paths: ['/x'] }]
  assert.equal(winner(routes, 'DELETE', 'whatever', '/x'), 'r')
})

void test('methods are matched exactly, without an implicit HEAD for GET', () => {
  const routes: RouteSpec[] = [{ id: 'r', methods: ['GET'], paths: ['/x'] }]
  assert.equal(winner(routes, 'GET', 'h', '/x'), 'r')
  assert.equal(winner(routes, 'HEAD', 'h', '/x'), undefined)
  assert.equal(winner(routes, 'get', 'h', '/x'), undefined)
})

const STRIP: ReadonlyArray<readonly [string, string, boolean, string]> = [
  // [pattern, request path, strip_path, upstream path]
  ['/api/*', '/api/orders', true, '/orders'],
  ['/api/*', '/api/orders/1/', true, '/orders/1/'],
  ['/api/*', '/api', true, '/'],
  ['/api/*', '/api/', true, '/'],
  ['/api/*', '/api/orders', false, '/api/orders'],
  ['/*', '/a/b', true, '/a/b'],
  ['/exact', '/exact', true, '/'],
  ['/exact', '/exact', false, '/exact'],
  ['~^/v[0-9]+', '/v2/users', true, '/users'],
  ['~^/v[0-9]+', '/v2', true, '/'],
  ['~^/v', '/v2/users', true, '/2/users'],
  ['~/users', '/v2/users', true, '/v2/users'],
  ['~^', '/v2', true, '/v2'],
  ['~^/v[0-9]+', '/v2/users', false, '/v2/users']
]

for (const [pattern, path, strip, expected] of STRIP) {
  void test(`strip_path=${strip} with ${pattern} sends ${path} as ${expected}`, () => {
    const match = compileRouter([{ id: 'r', paths: [pattern], strip_path: strip }]).match('GET', 'h', path)
    assert.equal(match?.upstreamPath, expected)
  })
}

const INVALID: ReadonlyArray<readonly [string, Partial<RouteSpec>]> = [
  ['invalid regex', { paths: ['~(['] }],
  ['empty regex', { paths: ['~'] }],
  ['relative path', { paths: ['api'] }],
  ['star inside', { paths: ['/a*'] }],
  ['star segment', { paths: ['/*/a'] }],
  ['repeated slash before star', { paths: ['/api//*'] }],
  ['dot segment', { paths: ['/a/../b'] }],
  ['repeated slash', { paths: ['/a//b'] }],
  ['encoded slash', { paths: ['/a%2Fb'] }],
  ['lower-case escape', { paths: ['/a%3ab'] }],
  ['escaped unreserved', { paths: ['/%7Euser'] }],
  ['query', { paths: ['/a?x=1'] }],
  ['no paths', { paths: [] }],
  ['upper-case host', { hosts: ['API.example.com'] }],
  ['host with port', { hosts: ['api.example.com:443'] }],
  ['wildcard in the middle', { hosts: ['api.*.com'] }],
  ['bare wildcard', { hosts: ['*'] }],
  ['lower-case method', { methods: ['get'] }],
  ['NaN priority', { priority: Number.NaN }],
  ['empty id', { id: '' }]
]

for (const [name, change] of INVALID) {
  void test(`compile throws on ${name}`, () => {
    assert.throws(() => compileRouter([{ id: 'r', paths: ['/'], ...change }]), /router: /)
  })
}

void test('compile throws on a duplicate route id', () => {
  assert.throws(() => compileRouter([{ id: 'r', paths: ['/a'] }, { id: 'r', paths: ['/b'] }]), /duplicate route id "r"/)
})

void test('compile accepts the valid pattern forms', () => {
  const router = compileRouter([{ id: 'r', hosts: ['api.example.com', '*.example.com', '127.0.0.1', '[::1]'], paths: ['/', '/*', '/a/', '/caf%C3%A9', '/a:b@c', '~^/x'] }])
  assert.equal(router.match('GET', '[::1]', '/caf%C3%A9')?.pattern, '/caf%C3%A9')
  assert.equal(router.routes.length, 1)
})

void test('no route matches when the table is empty', () => {
  assert.equal(compileRouter([]).match('GET', 'h', '/'), undefined)
})

const LITERALS: ReadonlyArray<readonly [string, string]> = [
  ['^/v[0-9]+', '/v'],
  ['^/api/orders$', '/api/orders'],
  ['^/ab?', '/a'],
  ['^/ab*c', '/a'],
  ['^/ab{2}', '/a'],
  ['^/a.b', '/a'],
  ['^/a\\.b', '/a'],
  ['^/a|^/b', ''],
  ['/api', ''],
  ['^(/api)', ''],
  ['^', ''],
  ['^a?', '']
]

for (const [source, literal] of LITERALS) {
  void test(`the regex ${source} is pre-filtered by the literal ${JSON.stringify(literal)}`, () => {
    assert.equal(anchoredLiteral(source), literal)
  })
}

void test('regex pre-filtering never hides a match', () => {
  const router = compileRouter([{ id: 'opt', paths: ['~^/ab?c'] }, { id: 'alt', paths: ['~^/x|/y'] }])
  assert.equal(router.match('GET', 'h', '/ac')?.route.id, 'opt')
  assert.equal(router.match('GET', 'h', '/abc')?.route.id, 'opt')
  assert.equal(router.match('GET', 'h', '/q/y')?.route.id, 'alt')
})

void test('checkPathPattern explains what compileRouter would refuse', () => {
  assert.equal(checkPathPattern('/api/*'), undefined)
  assert.equal(checkPathPattern('/*'), undefined)
  assert.equal(checkPathPattern('~^/v[0-9]'), undefined)
  assert.equal(checkPathPattern('/a/../b'), 'can never match a normalised request path; write "/b"')
  assert.equal(checkPathPattern('/a%3a/*'), 'can never match a normalised request path; write "/a%3A/*"')
  assert.match(checkPathPattern('~(') ?? '', /^the regular expression does not compile/)
})
