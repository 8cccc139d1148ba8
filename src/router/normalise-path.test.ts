import { test } from 'node:test'
import assert from 'node:assert/strict'
import { normaliseRequestTarget } from './normalise-path.js'

// [request-target, expected path, expected query]
const ACCEPTED: ReadonlyArray<readonly [string, string, string]> = [
  // common case, untouched
  ['/', '/', ''],
  ['/api/orders', '/api/orders', ''],
  ['/api/orders?id=1&x=%2F', '/api/orders', 'id=1&x=%2F'],
  ['/api/', '/api/', ''],
  ['/.well-known/acme', '/.well-known/acme', ''],
  ['/a..b/c.', '/a..b/c.', ''],
  ['/a/...', '/a/...', ''],
  ["/a:b@c!$&'()*+,;=~-_", "/a:b@c!$&'()*+,;=~-_", ''],
  // the query is returned raw: never decoded, never normalised, may hold '?' and '/..'
  ['/a?', '/a', ''],
  ['/a?b?c', '/a', 'b?c'],
  ['/a?x=/../admin&y=%zz', '/a', 'x=/../admin&y=%zz'],
  ['/a?q=caf\u00e9', '/a', 'q=caf\u00e9'],
  // traversal attacks end at /admin (so a route on /admin protects it)
  ['/public/../admin', '/admin', ''],
  ['/%2e%2e/admin', '/admin', ''],
  ['/%2E%2E/admin', '/admin', ''],
  ['/.%2e/admin', '/admin', ''],
  ['/public/%2e%2e/admin', '/admin', ''],
  ['/public/.%2E/admin?x=1', '/admin', 'x=1'],
  ['//admin', '/admin', ''],
  ['///admin//', '/admin/', ''],
  ['/%61dmin', '/admin', ''],
  ['/%41%42', '/AB', ''],
  // dot segments
  ['/./a/./b/../c', '/a/c', ''],
  ['/..', '/', ''],
  ['/../..', '/', ''],
  ['/a/..', '/', ''],
  ['/a/../', '/', ''],
  ['/a/b/..', '/a/', ''],
  ['/a/b/.', '/a/b/', ''],
  ['/a/./', '/a/', ''],
  ['/a/b/../../../../c', '/c', ''],
  ['/.', '/', ''],
  ['/..?x', '/', 'x'],
  ['//', '/', ''],
  ['/a//b', '/a/b', ''],
  // escapes of reserved and non-ASCII bytes are kept, hex upper-cased, never decoded twice
  ['/a%3ab', '/a%3Ab', ''],
  ['/caf%c3%a9', '/caf%C3%A9', ''],
  ['/a%20b', '/a%20b', ''],
  ['/a%25', '/a%25', ''],
  ['/%252e%252e/admin', '/%252e%252e/admin', ''],
  ['/a%3F?b', '/a%3F', 'b'],
  ['/%7e%2d%5f', '/~-_', ''],
  // absolute-form: path and query are taken, the authority is ignored
  ['http://example.com/a/../b?x=1', '/b', 'x=1'],
  ['HTTPS://example.com:8443/a', '/a', ''],
  ['http://example.com', '/', ''],
  ['http://example.com?x', '/', 'x'],
  ['http://user@example.com//admin', '/admin', '']
]

const REFUSED: readonly string[] = [
  '*',
  '',
  'a/b',
  'example.com:443',
  'ftp://example.com/a',
  'http:///a',
  'http://',
  'http://example.com#x',
  '/a%2Fb',
  '/a%2fb',
  '/a%00',
  '/a%5cb',
  '/a%5Cb',
  '/a%zz',
  '/a%',
  '/a%4',
  '/a%4?x=1',
  '/a%g0',
  '/a b',
  '/a\tb',
  '/a\r\nb',
  '/a\u0000',
  '/a\u007f',
  '/a\\..\\admin',
  '/a#frag',
  '/caf\u00e9',
  '/\u{1F600}',
  '/a?x y',
  '/a?x\r\nHost: evil',
  '/a?x#frag'
]

for (const [target, path, query] of ACCEPTED) {
  void test(`accepts ${JSON.stringify(target)} as ${path}`, () => {
    assert.deepEqual(normaliseRequestTarget(target), { ok: true, path, query })
  })
}

for (const target of REFUSED) {
  void test(`refuses ${JSON.stringify(target)}`, () => {
    const result = normaliseRequestTarget(target)
    assert.equal(result.ok, false)
    assert.equal(typeof (result as { reason: string }).reason, 'string')
  })
}

void test('names the reason for an encoded slash', () => {
  assert.deepEqual(normaliseRequestTarget('/a%2Fb'), { ok: false, reason: 'path contains an encoded slash (%2F)' })
})

void test('normalising a normalised path returns it unchanged', () => {
  for (const [target] of ACCEPTED) {
    const first = normaliseRequestTarget(target)
    assert.ok(first.ok)
    const again = normaliseRequestTarget(first.path)
    assert.deepEqual(again, { ok: true, path: first.path, query: '' }, target)
  }
})

void test('never returns a path with a dot segment, an empty segment or a lower-case escape', () => {
  // Every combination of a few tricky pieces, three deep.
  const pieces = ['/', '.', '..', '%2e', '%2E', '%2e%2e', 'a', '%61', '//', '/.', '/..', '%3a']
  for (const a of pieces) {
    for (const b of pieces) {
      for (const c of pieces) {
        const result = normaliseRequestTarget('/' + a + b + c)
        assert.ok(result.ok)
        const segments = result.path.split('/').slice(1, -1)
        assert.ok(!segments.some((s) => s === '' || s === '.' || s === '..'), result.path)
        assert.ok(!/%[0-9A-F]?[a-f]/.test(result.path), result.path)
        assert.ok(result.path.startsWith('/'))
      }
    }
  }
})

void test('returns the input itself for a simple origin-form path', () => {
  const target = '/api/v1/orders/12345'
  const result = normaliseRequestTarget(target)
  assert.ok(result.ok)
  assert.equal(result.path, target)
})
