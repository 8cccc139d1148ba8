import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TargetRegistry, toTargets } from '../targets.js'
import type { Target } from '../transport/transport.js'
import type { PickInput } from './balancer.js'
import { P2cPeakEwmaBalancer, type P2cPeakEwmaOptions } from './p2c-peak-ewma.js'
import { seededRandom } from './random.js'
import { formatShares, simulate } from './testing/simulate.js'

const INPUT: PickInput = { merchantId: undefined, clientIp: '127.0.0.1', path: '/', header: () => undefined }

function setup (weights: Record<string, number>, options: P2cPeakEwmaOptions = {}) {
  const clock = { nowMs: 0 }
  const registry = new TargetRegistry()
  const targets = toTargets(Object.entries(weights).map(([host, weight]) => ({ host, port: 80, weight })))
  const balancer = new P2cPeakEwmaBalancer(targets, registry, { now: () => clock.nowMs, random: seededRandom(3), ...options })
  const byHost = (host: string): Target => targets.find((t) => t.host === host)!
  return { clock, registry, targets, balancer, byHost }
}

void test('prefers the faster of two targets on a fake clock (8 callers, 10 ms vs 50 ms)', (t) => {
  const run = simulate({ balancer: 'p2c-peak-ewma', backends: [{ host: 'fast', meanMs: 10 }, { host: 'slow', meanMs: 50 }], callers: 8, requests: 10_000, seed: 11 })
  const roundRobin = simulate({ balancer: 'round-robin', backends: [{ host: 'fast', meanMs: 10 }, { host: 'slow', meanMs: 50 }], callers: 8, requests: 10_000, seed: 11 })
  t.diagnostic(`p2c-peak-ewma fast/slow ${formatShares(run.shares)}; round-robin ${formatShares(roundRobin.shares)}`)
  assert.ok(run.shares[0]! > 0.75, formatShares(run.shares))
})

void test('one caller at a time: nearly every request goes to the faster target', () => {
  const run = simulate({ balancer: 'p2c-peak-ewma', backends: [{ host: 'fast', meanMs: 10 }, { host: 'slow', meanMs: 50 }], callers: 1, requests: 2_000, seed: 5 })
  assert.ok(run.shares[0]! > 0.9, formatShares(run.shares))
  // The slow one is still re-probed as its cost decays, so it is not forgotten.
  assert.ok(run.counts[1]! > 0, formatShares(run.shares))
})

void test('the same seed and clock give the same picks', () => {
  const a = simulate({ balancer: 'p2c-peak-ewma', backends: [{ host: 'x', meanMs: 10 }, { host: 'y', meanMs: 12 }, { host: 'z', meanMs: 30 }], callers: 4, requests: 3_000, seed: 9 })
  const b = simulate({ balancer: 'p2c-peak-ewma', backends: [{ host: 'x', meanMs: 10 }, { host: 'y', meanMs: 12 }, { host: 'z', meanMs: 30 }], callers: 4, requests: 3_000, seed: 9 })
  assert.deepEqual(a.counts, b.counts)
})

void test('a target with no history is probed one request at a time', () => {
  const { balancer, byHost, clock } = setup({ known: 1, fresh: 1 })
  // "known" answered once in 50 ms; "fresh" never answered.
  balancer.onSend(byHost('known'))
  clock.nowMs = 50
  balancer.onDone(byHost('known'), { ok: true, latencyMs: 50 })
  assert.equal(balancer.pick(INPUT)?.host, 'fresh', 'no history and nothing in flight: cheapest')
  balancer.onSend(byHost('fresh'))
  // While the probe is out, "fresh" loses every comparison, however loaded "known" gets.
  for (let i = 0; i < 20; i++) {
    const target = balancer.pick(INPUT)!
    assert.equal(target.host, 'known')
    balancer.onSend(target)
  }
  clock.nowMs = 55
  balancer.onDone(byHost('fresh'), { ok: true, latencyMs: 5 })
  assert.equal(balancer.pick(INPUT)?.host, 'fresh', 'answered in 5 ms, idle: now the cheaper one')
})

void test('a slower answer replaces the cost at once; a faster one is blended in with time', () => {
  const { balancer, byHost, clock, registry } = setup({ a: 1, b: 1 }, { decayMs: 10_000 })
  const a = byHost('a')
  balancer.onSend(a)
  balancer.onDone(a, { ok: true, latencyMs: 10 })
  assert.equal(registry.get('a:80').costMs, 10)
  clock.nowMs = 1
  balancer.onSend(a)
  balancer.onDone(a, { ok: true, latencyMs: 200 })
  assert.equal(registry.get('a:80').costMs, 200, 'peak: taken at once')
  clock.nowMs = 10_001
  balancer.onSend(a)
  balancer.onDone(a, { ok: true, latencyMs: 10 })
  // 10 s = one time constant later: 200·e^−1 + 10·(1 − e^−1).
  const expected = 200 * Math.exp(-1) + 10 * (1 - Math.exp(-1))
  assert.ok(Math.abs(registry.get('a:80').costMs - expected) < 1e-9, `${registry.get('a:80').costMs} vs ${expected}`)
})

void test('cost decays while a target is not picked, so it is tried again', () => {
  const { balancer, byHost, clock, registry } = setup({ a: 1, b: 1 })
  balancer.onSend(byHost('a'))
  balancer.onDone(byHost('a'), { ok: true, latencyMs: 1_000 })
  balancer.onSend(byHost('b'))
  balancer.onDone(byHost('b'), { ok: true, latencyMs: 20 })
  assert.equal(balancer.pick(INPUT)?.host, 'b')
  // The decay is applied at read time: 30 s (3 τ) later a's cost is 1000·e^−3 ≈ 50 ms, b's ≈ 1 ms.
  clock.nowMs = 30_000
  assert.ok(Math.abs(registry.get('a:80').decayedCostMs(30_000, 10_000) - 1_000 * Math.exp(-3)) < 1e-9)
  // Pile requests on b: a (load ≈ 51) wins once b's (1 + 1)·(inFlight + 1) passes it, at 25 in flight.
  let onB = 0
  while (balancer.pick(INPUT)?.host === 'b' && onB < 100) {
    balancer.onSend(byHost('b'))
    onB++
  }
  assert.equal(onB, 25)
})

void test('a failure counts as at least the error penalty, however fast it came', () => {
  const { balancer, byHost, registry } = setup({ a: 1, b: 1 }, { errorPenaltyMs: 2_000 })
  balancer.onSend(byHost('a'))
  balancer.onDone(byHost('a'), { ok: false, latencyMs: 1 })
  assert.equal(registry.get('a:80').costMs, 2_000)
  balancer.onSend(byHost('b'))
  balancer.onDone(byHost('b'), { ok: false, latencyMs: 5_000 })
  assert.equal(registry.get('b:80').costMs, 5_000, 'a slower failure keeps its own latency')
  assert.equal(registry.get('a:80').consecutiveFailures, 1)
})

void test('weights divide the load: with equal costs, in flight follows weight', () => {
  const { balancer, byHost, registry } = setup({ heavy: 3, light: 1 })
  for (const host of ['heavy', 'light']) {
    balancer.onSend(byHost(host))
    balancer.onDone(byHost(host), { ok: true, latencyMs: 10 })
  }
  for (let i = 0; i < 400; i++) balancer.onSend(balancer.pick(INPUT)!)
  const heavy = registry.get('heavy:80').inFlight
  const light = registry.get('light:80').inFlight
  assert.ok(Math.abs(heavy - 300) <= 2 && Math.abs(light - 100) <= 2, `${heavy}/${light}`)
})

void test('learnt cost and in-flight counts survive a rebuild of the balancer (a reload)', () => {
  const { registry, clock } = setup({ a: 1, b: 1 })
  const options = { now: () => clock.nowMs, random: seededRandom(1) }
  const entries = [{ host: 'a', port: 80, weight: 1 }, { host: 'b', port: 80, weight: 1 }]
  const before = new P2cPeakEwmaBalancer(toTargets(entries), registry, options)
  const [a, b] = toTargets(entries) as [Target, Target]
  before.onSend(a)
  before.onDone(a, { ok: true, latencyMs: 500 })
  before.onSend(b)
  before.onDone(b, { ok: true, latencyMs: 5 })
  before.onSend(b)
  const after = new P2cPeakEwmaBalancer(toTargets(entries), registry, options)
  assert.equal(after.pick(INPUT)?.host, 'b', '(5+1)·2 < (500+1)·1: the new build knows both')
  after.onDone(b, { ok: true, latencyMs: 5 })
  assert.equal(registry.get('b:80').inFlight, 0)
})

void test('refuses a decay or a penalty that is not a number of milliseconds', () => {
  assert.throws(() => new P2cPeakEwmaBalancer([], new TargetRegistry(), { decayMs: 0 }), /decayMs must be a positive number/)
  assert.throws(() => new P2cPeakEwmaBalancer([], new TargetRegistry(), { errorPenaltyMs: -1 }), /errorPenaltyMs must be/)
})
