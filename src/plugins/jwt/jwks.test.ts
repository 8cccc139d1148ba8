import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { recordingLogger } from '../../../test/support/plugin-context.js'
import { JwksSource, jwksStats, parseJwks } from './jwks.js'
import { opensslKeys, publicJwk } from './test-tokens.js'

const keys = opensslKeys()
const SETTINGS = { ttlMs: 60_000, refreshIntervalMs: 10_000, timeoutMs: 1000 }

/** A JWKS "server" under test control: each fetch takes the next answer (a document or an error). */
function scripted () {
  const answers: Array<unknown> = []
  let fetches = 0
  return {
    answers,
    get fetches () { return fetches },
    fetch: async (): Promise<unknown> => {
      fetches++
      const next = answers.length > 1 ? answers.shift() : answers[0]
      if (next instanceof Error) throw next
      return next
    }
  }
}

const doc = (...kids: string[]) => ({ keys: kids.map((kid) => publicJwk(keys.p256.publicPem, kid, 'ES256')) })
const kidsOf = (list: ReadonlyArray<{ kid: string | undefined }>) => list.map((k) => k.kid)

describe('JWKS source', () => {
  it('waits for the first fetch, then serves from memory until the TTL', async () => {
    let nowMs = 0
    const server = scripted()
    server.answers.push(doc('a'))
    const source = new JwksSource('http://jwks.test', SETTINGS, recordingLogger(), () => nowMs, server.fetch)
    const first = source.current()
    assert.ok(first instanceof Promise)
    assert.deepEqual(kidsOf(await first), ['a'])
    nowMs = 59_000
    assert.deepEqual(kidsOf(source.current() as readonly []), ['a'])
    assert.equal(server.fetches, 1)
  })

  it('after the TTL serves the keys in hand and fetches in the background', async () => {
    let nowMs = 0
    const server = scripted()
    server.answers.push(doc('a'), doc('b'))
    const source = new JwksSource('http://jwks.test', SETTINGS, recordingLogger(), () => nowMs, server.fetch)
    await source.current()
    nowMs = 60_000
    assert.deepEqual(kidsOf(source.current() as readonly []), ['a'], 'stale keys served at once')
    await new Promise((resolve) => setImmediate(resolve))
    assert.deepEqual(kidsOf(source.current() as readonly []), ['b'])
    assert.equal(server.fetches, 2)
  })

  it('fetches early for an unknown kid, at most once per refresh interval', async () => {
    let nowMs = 0
    const server = scripted()
    server.answers.push(doc('a'), doc('a', 'b'))
    const source = new JwksSource('http://jwks.test', SETTINGS, recordingLogger(), () => nowMs, server.fetch)
    await source.current()
    nowMs = 5_000
    assert.deepEqual(kidsOf(await source.refresh()), ['a'], 'within 10 s of the last fetch: no new fetch')
    assert.equal(server.fetches, 1)
    nowMs = 10_000
    assert.deepEqual(kidsOf(await source.refresh()), ['a', 'b'])
    assert.equal(server.fetches, 2)
  })

  it('keeps the last good keys when a fetch fails, warning and counting', async () => {
    let nowMs = 0
    const log = recordingLogger()
    const server = scripted()
    server.answers.push(doc('a'), new Error('connect ECONNREFUSED'), { keys: [] })
    const source = new JwksSource('http://jwks.test', SETTINGS, log, () => nowMs, server.fetch)
    await source.current()
    const failuresBefore = jwksStats().fetchFailures
    nowMs = 10_000
    assert.deepEqual(kidsOf(await source.refresh()), ['a'])
    nowMs = 20_000
    assert.deepEqual(kidsOf(await source.refresh()), ['a'], 'a document without usable keys is a failure too')
    assert.equal(jwksStats().fetchFailures - failuresBefore, 2)
    assert.deepEqual(log.records.filter((r) => r.level === 'warn').map((r) => (r.obj as { keys_kept: number }).keys_kept), [1, 1])
  })

  it('asks a dead issuer at most once per refresh interval even before any load succeeded', async () => {
    let nowMs = 0
    const server = scripted()
    server.answers.push(new Error('down'))
    const source = new JwksSource('http://jwks.test', SETTINGS, recordingLogger(), () => nowMs, server.fetch)
    assert.deepEqual(await source.current(), [])
    nowMs = 1000
    assert.deepEqual(source.current(), [])
    assert.equal(server.fetches, 1)
    nowMs = 10_000
    assert.deepEqual(await source.current(), [])
    assert.equal(server.fetches, 2)
  })
})

describe('parseJwks', () => {
  it('keeps signature keys and skips encryption, symmetric, private and broken ones', () => {
    const parsed = parseJwks({
      keys: [
        publicJwk(keys.rsa.publicPem, 'rsa'),
        { ...publicJwk(keys.rsa.publicPem, 'enc'), use: 'enc' },
        { kty: 'oct', k: 'c2VjcmV0', kid: 'oct' },
        { ...publicJwk(keys.p256.publicPem, 'private'), d: 'AAAA' },
        { kty: 'EC', crv: 'P-256', x: 'bad', y: 'bad', kid: 'broken' },
        publicJwk(keys.ed25519.publicPem, 'ed', 'EdDSA')
      ]
    })
    assert.deepEqual(parsed.map((k) => [k.kid, k.alg, k.key.asymmetricKeyType]), [['rsa', undefined, 'rsa'], ['ed', 'EdDSA', 'ed25519']])
  })

  it('refuses a document that is not a key set', () => {
    assert.throws(() => parseJwks({ keys: 'x' }), /no "keys" array/)
    assert.throws(() => parseJwks({ keys: [{ kty: 'oct', k: 'AA' }] }), /no usable signature key/)
  })
})
