import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normaliseRequestTarget } from './normalise-path.js'
import { compileRouter } from './router.js'

// `/admin` is protected (its route carries the auth plugins), `/public/*` is open and strips its
// prefix. An attack succeeds if a request is routed as public but reaches `/admin` upstream, or
// is routed as public while its normalised path is under `/admin`.
const router = compileRouter([
  { id: 'admin', paths: ['/admin', '/admin/*'] },
  { id: 'public', paths: ['/public/*'], strip_path: false },
  { id: 'public-stripped', hosts: ['strip.example.com'], paths: ['/public/*'], strip_path: true }
])

const ATTACKS: readonly string[] = [
  '/public/../admin',
  '/public/%2e%2e/admin',
  '/public/%2E%2E/admin',
  '/public/.%2e/admin',
  '/public/%2e./admin',
  '/public/./../admin',
  '/public/../../admin',
  '/public/..//admin',
  '/public//../admin',
  '/%2e%2e/admin',
  '/%2E%2E/admin',
  '//admin',
  '///admin/users',
  '/%61dmin',
  '/%61%64%6d%69%6e/users',
  '/public/..%2fadmin',
  '/public/..%2Fadmin',
  '/public%2f..%2fadmin',
  '/public/..%5cadmin',
  '/public/..\\admin',
  '/public/%2e%2e%5cadmin',
  '/public/..%00/admin',
  '/public/%zz/../../admin',
  '/public/\u0000/../../admin',
  '/public/../admin#',
  '/public/.. /admin',
  'http://example.com/public/../admin',
  'http://example.com//admin',
  '/public/..?/../admin',
  '/public/%2e%2e?x=/../admin'
]

for (const target of ATTACKS) {
  void test(`${JSON.stringify(target)} never reaches /admin through the public route`, () => {
    const normalised = normaliseRequestTarget(target)
    if (!normalised.ok) return // refused: answered 400, never routed
    for (const host of ['example.com', 'strip.example.com']) {
      const match = router.match('GET', host, normalised.path)
      if (match === undefined) continue
      if (match.route.id === 'admin') continue // routed to the protected route: its plugins run
      assert.ok(!/^\/admin(\/|$)/.test(normalised.path), `${target} normalised to ${normalised.path} on ${match.route.id}`)
      assert.ok(!/^\/admin(\/|$)/.test(match.upstreamPath), `${target} sent upstream as ${match.upstreamPath}`)
      assert.ok(normalised.path.startsWith('/public'), `${target} → ${normalised.path}`)
    }
  })
}

void test('the plain traversal attacks land on the protected route', () => {
  for (const target of ['/public/../admin', '/%2e%2e/admin', '/%2E%2E/admin', '//admin', '/%61dmin']) {
    const normalised = normaliseRequestTarget(target)
    assert.ok(normalised.ok, target)
    assert.equal(router.match('GET', 'example.com', normalised.path)?.route.id, 'admin', target)
  }
})

void test('the encoded-separator attacks are refused before routing', () => {
  for (const target of ['/public/..%2fadmin', '/public/..%5cadmin', '/public/..%00/admin', '/public/%zz/../../admin', '/public/..\\admin']) {
    assert.equal(normaliseRequestTarget(target).ok, false, target)
  }
})
