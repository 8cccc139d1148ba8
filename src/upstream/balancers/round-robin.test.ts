import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TargetRegistry, toTargets } from '../targets.js'
import type { PickInput } from './balancer.js'
import { RoundRobinBalancer } from './round-robin.js'
import { createBalancer } from './registry.js'

const INPUT: PickInput = { merchantId: undefined, clientIp: '127.0.0.1', path: '/', header: () => undefined }

function balancer (weights: Record<string, number>, registry = new TargetRegistry()): RoundRobinBalancer {
  return new RoundRobinBalancer(toTargets(Object.entries(weights).map(([host, weight]) => ({ host, port: 80, weight }))), registry)
}

function picks (rr: RoundRobinBalancer, count: number, exclude?: ReadonlySet<string>): string {
  return Array.from({ length: count }, () => rr.pick(INPUT, exclude)?.host ?? '-').join(' ')
}

void test('weights 5,1,1 give the smooth nginx sequence', () => {
  assert.equal(picks(balancer({ a: 5, b: 1, c: 1 }), 14), 'a a b a c a a a a b a c a a')
})

void test('equal weights alternate', () => {
  assert.equal(picks(balancer({ a: 1, b: 1, c: 1 }), 6), 'a b c a b c')
})

void test('shares follow the weights exactly over a whole cycle', () => {
  const rr = balancer({ a: 50, b: 30, c: 20 })
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 }
  for (let i = 0; i < 1000; i++) counts[rr.pick(INPUT)?.host as string]!++
  assert.deepEqual(counts, { a: 500, b: 300, c: 200 })
})

void test('weight 0 targets are never picked', () => {
  assert.equal(picks(balancer({ a: 0, b: 1 }), 4), 'b b b b')
  assert.equal(picks(balancer({ a: 0 }), 2), '- -')
})

void test('excluded targets are skipped and the others keep their order', () => {
  const rr = balancer({ a: 5, b: 1, c: 1 })
  assert.equal(picks(rr, 3, new Set(['a:80'])), 'b c b')
  assert.equal(picks(rr, 2, new Set(['a:80', 'b:80', 'c:80'])), '- -')
})

void test('a failure drops the target to effective weight 0, then it ramps back by one per pick', () => {
  const rr = balancer({ a: 3, b: 3 })
  const a = rr.pick(INPUT)
  assert.equal(a?.host, 'a')
  rr.onSend(a!)
  rr.onDone(a!, { ok: false, latencyMs: 10 })
  // a's effective weight goes 0, 1, 2, 3 over the next picks, so b gets the next turns.
  assert.equal(picks(rr, 4), 'b b b a')
  const counts: Record<string, number> = { a: 0, b: 0 }
  for (let i = 0; i < 600; i++) counts[rr.pick(INPUT)?.host as string]!++
  assert.ok(Math.abs(counts.a! - counts.b!) <= 2, JSON.stringify(counts))
})

void test('in-flight counts survive a rebuild with the same targets', () => {
  const registry = new TargetRegistry()
  const entries = [{ host: 'a', port: 80, weight: 1 }, { host: 'b', port: 80, weight: 1 }]
  const before = createBalancer('round-robin', toTargets(entries), registry)
  const target = before.pick(INPUT)!
  before.onSend(target)
  before.onSend(target)
  // Config reload: new Target objects, new balancer, same registry.
  const afterTargets = toTargets(entries)
  const after = createBalancer('round-robin', afterTargets, registry)
  assert.equal(registry.get(target.id).inFlight, 2)
  after.onSend(afterTargets.find((t) => t.id === target.id)!)
  assert.equal(registry.get(target.id).inFlight, 3)
  before.onDone(target, { ok: true, latencyMs: 1 })
  after.onDone(target, { ok: true, latencyMs: 1 })
  before.onDone(target, { ok: true, latencyMs: 1 })
  assert.equal(registry.get(target.id).inFlight, 0)
  assert.equal(registry.get(target.id).sent, 3)
})

void test('createBalancer refuses an unknown name', () => {
  assert.throws(() => createBalancer('random', [], new TargetRegistry()), /unknown balancer "random"; known: p2c-peak-ewma, least-connections, round-robin, consistent-hash/)
})
