import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TargetRegistry, toTargets, type TargetEntry } from '../targets.js'
import type { PickInput } from './balancer.js'
import { ConsistentHashBalancer, type ConsistentHashOptions } from './consistent-hash.js'

function input (fields: Partial<Omit<PickInput, 'header'>> & { headers?: Record<string, string> } = {}): PickInput {
  const headers = fields.headers ?? {}
  return {
    merchantId: fields.merchantId,
    clientIp: fields.clientIp ?? '192.0.2.1',
    path: fields.path ?? '/',
    header: (name) => headers[name]
  }
}

function entries (count: number, weight = 1, from = 0): TargetEntry[] {
  return Array.from({ length: count }, (_, i) => ({ host: `10.0.0.${from + i + 1}`, port: 8080, weight }))
}

function ring (list: readonly TargetEntry[], options: ConsistentHashOptions = { hashOn: 'path' }): ConsistentHashBalancer {
  return new ConsistentHashBalancer(toTargets(list), new TargetRegistry(), options)
}

const KEYS = Array.from({ length: 20_000 }, (_, i) => `/orders/${i}`)

function assignment (balancer: ConsistentHashBalancer): string[] {
  return KEYS.map((path) => balancer.pick(input({ path }))!.id)
}

void test('adding one target to 10 moves about 1/11 of the keys, all of them to the new target', (t) => {
  const before = assignment(ring(entries(10)))
  const added = entries(11)
  const after = assignment(ring(added))
  const newId = `${added[10]!.host}:8080`
  let moved = 0
  for (let k = 0; k < KEYS.length; k++) {
    if (before[k] === after[k]) continue
    moved++
    assert.equal(after[k], newId, `key ${KEYS[k]} moved from ${before[k]} to ${after[k]}`)
  }
  t.diagnostic(`moved ${(moved / KEYS.length * 100).toFixed(2)} % of keys (ideal 1/11 = 9.09 %)`)
  assert.ok(moved / KEYS.length > 0.06 && moved / KEYS.length < 0.125, `moved ${moved}`)
})

void test('removing one target of 10 moves only its own keys', (t) => {
  const list = entries(10)
  const before = assignment(ring(list))
  const goneId = `${list[3]!.host}:8080`
  const after = assignment(ring(list.filter((_, i) => i !== 3)))
  let moved = 0
  for (let k = 0; k < KEYS.length; k++) {
    if (before[k] === after[k]) continue
    moved++
    assert.equal(before[k], goneId)
  }
  t.diagnostic(`moved ${(moved / KEYS.length * 100).toFixed(2)} % of keys (ideal 1/10)`)
  assert.equal(moved, before.filter((id) => id === goneId).length)
})

void test('a key keeps its target across rebuilds and whatever the order of the targets', () => {
  const list = entries(6)
  const first = assignment(ring(list))
  assert.deepEqual(assignment(ring(list)), first)
  assert.deepEqual(assignment(ring([...list].reverse())), first)
})

void test('shares follow the weights (1:3) and equal targets get near-equal shares', (t) => {
  const weighted = assignment(ring([{ host: 'light', port: 80, weight: 1 }, { host: 'heavy', port: 80, weight: 3 }]))
  const heavyShare = weighted.filter((id) => id === 'heavy:80').length / KEYS.length
  const equal = assignment(ring(entries(8)))
  const shares = entries(8).map((e) => equal.filter((id) => id === `${e.host}:8080`).length / KEYS.length)
  t.diagnostic(`heavy share ${(heavyShare * 100).toFixed(1)} % (ideal 75 %); 8 equal targets: ${shares.map((s) => (s * 100).toFixed(1)).join('/')} % (ideal 12.5 %)`)
  assert.ok(Math.abs(heavyShare - 0.75) < 0.05, String(heavyShare))
  for (const share of shares) assert.ok(Math.abs(share - 0.125) < 0.035, String(shares))
})

void test('an excluded target falls through to the next target on the ring; other keys stay put', () => {
  const list = entries(5)
  const balancer = ring(list)
  const before = assignment(balancer)
  const excluded = new Set([before[0]!])
  for (let k = 0; k < 2_000; k++) {
    const picked = balancer.pick(input({ path: KEYS[k]! }), excluded)!.id
    if (before[k] !== before[0]) assert.equal(picked, before[k])
    else {
      assert.notEqual(picked, before[0])
      // The fallback is stable: the same key and exclusion give the same second choice.
      assert.equal(balancer.pick(input({ path: KEYS[k]! }), excluded)!.id, picked)
    }
  }
  const all = new Set(toTargets(list).map((target) => target.id))
  assert.equal(balancer.pick(input({ path: '/x' }), all), undefined)
})

void test('hashes on the chosen key: ip, merchant, header, path', () => {
  const list = entries(16)
  const byIp = ring(list, { hashOn: 'ip' })
  const byMerchant = ring(list, { hashOn: 'merchant' })
  const byHeader = ring(list, { hashOn: 'header', hashHeader: 'X-Tenant' })
  const byPath = ring(list, { hashOn: 'path' })
  const spread = (pick: (i: number) => string): number => new Set(Array.from({ length: 200 }, (_, i) => pick(i))).size
  // Varying only the chosen key spreads requests; varying anything else does not move them.
  assert.ok(spread((i) => byIp.pick(input({ clientIp: `10.1.0.${i}` }))!.id) > 8)
  assert.equal(spread((i) => byIp.pick(input({ path: `/p/${i}`, merchantId: `m${i}` }))!.id), 1)
  assert.ok(spread((i) => byMerchant.pick(input({ merchantId: `m${i}` }))!.id) > 8)
  assert.equal(spread((i) => byMerchant.pick(input({ merchantId: 'm1', clientIp: `10.1.0.${i}` }))!.id), 1)
  assert.ok(spread((i) => byHeader.pick(input({ headers: { 'x-tenant': `t${i}` } }))!.id) > 8)
  assert.equal(spread((i) => byHeader.pick(input({ headers: { 'x-tenant': 't1' }, clientIp: `10.1.0.${i}` }))!.id), 1)
  assert.ok(spread((i) => byPath.pick(input({ path: `/p/${i}` }))!.id) > 8)
})

void test('a request without the key (no merchant, no header) is hashed on its client IP', () => {
  const list = entries(16)
  const byIp = ring(list, { hashOn: 'ip' })
  for (const options of [{ hashOn: 'merchant' }, { hashOn: 'header', hashHeader: 'x-tenant' }] as const) {
    const balancer = ring(list, options)
    for (let i = 0; i < 50; i++) {
      const request = input({ clientIp: `10.2.0.${i}` })
      assert.equal(balancer.pick(request)!.id, byIp.pick(request)!.id)
    }
  }
})

void test('refuses hash options that do not fit together', () => {
  assert.throws(() => ring([], { hashOn: 'header' }), /hashOn 'header' needs hashHeader/)
  assert.throws(() => ring([], { hashOn: 'ip', hashHeader: 'x-a' }), /hashHeader is only used with hashOn 'header'/)
  assert.throws(() => ring([], { hashOn: 'cookie' as 'ip' }), /hashOn must be one of ip, merchant, header, path/)
})
