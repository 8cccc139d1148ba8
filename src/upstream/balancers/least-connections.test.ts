import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TargetRegistry, toTargets } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { PickInput } from './balancer.js'
import { LeastConnectionsBalancer } from './least-connections.js'

const INPUT: PickInput = { merchantId: undefined, clientIp: '127.0.0.1', path: '/', header: () => undefined }

function setup (weights: Record<string, number>, registry = new TargetRegistry()) {
  const targets = toTargets(Object.entries(weights).map(([host, weight]) => ({ host, port: 80, weight })))
  const balancer = new LeastConnectionsBalancer(targets, registry)
  const byHost = (host: string): Target => targets.find((t) => t.host === host)!
  return { balancer, registry, targets, byHost }
}

/** `count` requests one after another, each ended before the next: concurrency 1. */
function sequential (balancer: LeastConnectionsBalancer, count: number): string {
  return Array.from({ length: count }, () => {
    const target = balancer.pick(INPUT)!
    balancer.onSend(target)
    balancer.onDone(target, { ok: true, latencyMs: 1 })
    return target.host
  }).join(' ')
}

void test('ties rotate: sequential requests go round, not all to the first target', () => {
  assert.equal(sequential(setup({ a: 1, b: 1, c: 1 }).balancer, 7), 'a b c a b c a')
})

void test('ties rotate by weight: idle-time shares follow the weights (no herding onto the heaviest)', () => {
  const { balancer } = setup({ a: 5, b: 1, c: 1 })
  assert.equal(sequential(balancer, 7), 'a a b a c a a')
  const counts: Record<string, number> = { a: 0, b: 0, c: 0 }
  for (const host of sequential(balancer, 700).split(' ')) counts[host]!++
  assert.deepEqual(counts, { a: 500, b: 100, c: 100 })
})

void test('the target with the fewest in flight wins; ties among the rest rotate', () => {
  const { balancer, byHost } = setup({ a: 1, b: 1, c: 1 })
  balancer.onSend(byHost('a'))
  // a is busy: b and c are tied at 0 and alternate.
  const picks = Array.from({ length: 4 }, () => balancer.pick(INPUT)!.host)
  assert.deepEqual(picks, ['b', 'c', 'b', 'c'])
})

void test('weights divide: in flight settles at 2:1 for weights 2:1', () => {
  const { balancer, registry } = setup({ heavy: 2, light: 1 })
  for (let i = 0; i < 300; i++) balancer.onSend(balancer.pick(INPUT)!)
  assert.equal(registry.get('heavy:80').inFlight, 200)
  assert.equal(registry.get('light:80').inFlight, 100)
})

void test('a response or an error both end the in-flight count (+1 on send, −1 on either)', () => {
  const { balancer, byHost, registry } = setup({ a: 1, b: 1 })
  balancer.onSend(byHost('a'))
  balancer.onSend(byHost('a'))
  assert.equal(balancer.pick(INPUT)?.host, 'b')
  balancer.onDone(byHost('a'), { ok: false, latencyMs: 1 })
  balancer.onDone(byHost('a'), { ok: true, latencyMs: 1 })
  assert.equal(registry.get('a:80').inFlight, 0)
  assert.equal(registry.get('a:80').failed, 1)
})

void test('in-flight counts from before a reload steer the new build', () => {
  const registry = new TargetRegistry()
  const before = setup({ a: 1, b: 1 }, registry)
  before.balancer.onSend(before.byHost('a'))
  before.balancer.onSend(before.byHost('a'))
  const after = setup({ a: 1, b: 1 }, registry)
  assert.deepEqual([after.balancer.pick(INPUT)?.host, after.balancer.pick(INPUT)?.host], ['b', 'b'])
  after.balancer.onDone(after.byHost('a'), { ok: true, latencyMs: 1 })
  before.balancer.onDone(before.byHost('a'), { ok: true, latencyMs: 1 })
  assert.equal(registry.get('a:80').inFlight, 0)
})
