import { describe, test } from 'node:test'
import assert from 'node:assert/strict'
import type { PickInput } from '../balancers/balancer.js'
import { seededRandom } from '../balancers/random.js'
import { BALANCER_NAMES, createBalancer } from '../balancers/registry.js'
import { TargetRegistry, toTargets } from '../targets.js'
import type { Target } from '../transport/transport.js'
import { HealthAwareBalancer, type HealthOptions } from './health-aware-balancer.js'
import { slowStartFactor } from './slow-start.js'

function input (i: number): PickInput {
  return { merchantId: `m${i % 7}`, clientIp: `10.0.${i % 256}.${(i * 7) % 256}`, path: `/p/${i}`, header: () => undefined }
}

interface Setup {
  balancer: HealthAwareBalancer
  targets: Target[]
  registry: TargetRegistry
  clock: { now: number }
}

/** `n` equal targets behind `name`, passive health in front, on one fake clock and seeded randomness. */
function setup (name: string, n: number, options: HealthOptions = {}, registry = new TargetRegistry(), clock = { now: 1_000_000 }): Setup {
  const targets = toTargets(Array.from({ length: n }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 80, weight: 1 })))
  const now = (): number => clock.now
  const inner = createBalancer(name, targets, registry, { now, random: seededRandom(7) })
  const balancer = new HealthAwareBalancer(inner, targets, registry, {
    slowStartMs: 0, now, random: seededRandom(11), ...options, passive: { ejectionJitterMs: 0, ...options.passive }
  })
  return { balancer, targets, registry, clock }
}

/** Sends `times` failed attempts to `target` through the balancer. */
function fail (s: Setup, target: Target, times = 5): void {
  for (let i = 0; i < times; i++) {
    s.balancer.onSend(target)
    s.balancer.onDone(target, { ok: false, latencyMs: 1 })
  }
}

/** Picks `count` times, each attempt completed at once with success; returns picks per target id. */
function share (s: Setup, count: number, from = 0): Map<string, number> {
  const counts = new Map<string, number>()
  for (let i = from; i < from + count; i++) {
    const target = s.balancer.pick(input(i))
    assert.ok(target !== undefined)
    s.balancer.onSend(target)
    s.balancer.onDone(target, { ok: true, latencyMs: 1 })
    counts.set(target.id, (counts.get(target.id) ?? 0) + 1)
  }
  return counts
}

describe('an ejected target is skipped by every balancer', () => {
  for (const name of BALANCER_NAMES) {
    void test(name, () => {
      const s = setup(name, 10)
      const bad = s.targets[3] as Target
      fail(s, bad)
      assert.equal(s.balancer.detector.isEjected(bad.id, s.clock.now), true)
      const during = share(s, 1000)
      assert.equal(during.get(bad.id), undefined, `${name} picked the ejected target ${during.get(bad.id) ?? 0} times`)
      // Still honoured together with the caller's exclude (a retry).
      const others = new Set(s.targets.filter((t) => t !== bad).slice(0, 8).map((t) => t.id))
      for (let i = 0; i < 50; i++) assert.equal(s.balancer.pick(input(i), others)?.id, (s.targets[9] as Target).id)
      s.clock.now += 30_001
      // Back once the ejection ended (whether the balancer likes it yet is its own business).
      const allOthers = new Set(s.targets.filter((t) => t !== bad).map((t) => t.id))
      assert.equal(s.balancer.pick(input(0), allOthers)?.id, bad.id)
    })
  }
})

void test('ejection is kept across a rebuild over the same registry, and so is the count that lengthens the next one', () => {
  const registry = new TargetRegistry()
  const clock = { now: 1_000_000 }
  const first = setup('p2c-peak-ewma', 10, {}, registry, clock)
  const bad = first.targets[0] as Target
  fail(first, bad)
  const second = setup('round-robin', 10, {}, registry, clock)
  assert.equal(share(second, 200).get(bad.id), undefined)
  clock.now += 30_001
  fail(second, bad)
  assert.equal(registry.get(bad.id).ejectedUntilMs - clock.now, 60_000)
})

void test('panic mode: with fewer than 50 % healthy targets every target is used, and it is counted', () => {
  const s = setup('round-robin', 4, { passive: { maxEjectedPercent: 100 } })
  const [a, b, c] = s.targets as [Target, Target, Target]
  fail(s, a)
  fail(s, b)
  // 2 of 4 healthy: not under 50 %, the ejected are skipped.
  assert.deepEqual([...share(s, 100).keys()].sort(), [s.targets[2]?.id, s.targets[3]?.id].sort())
  assert.equal(s.balancer.panicPicks, 0)
  fail(s, c)
  // 1 of 4 healthy: panic, all four are used.
  const counts = share(s, 100)
  assert.equal(counts.size, 4)
  assert.equal(s.balancer.panicPicks, 100)
})

void test('panic mode: a lone ejected target is still used (0 of 1 healthy)', () => {
  const s = setup('p2c-peak-ewma', 1)
  const only = s.targets[0] as Target
  fail(s, only)
  assert.equal(s.balancer.detector.isEjected(only.id, s.clock.now), true)
  assert.equal(s.balancer.pick(input(0))?.id, only.id)
})

void test('panic_threshold_percent 0 never panics: with every target ejected the pick finds none', () => {
  const s = setup('least-connections', 1, { panicThresholdPercent: 0 })
  fail(s, s.targets[0] as Target)
  assert.equal(s.balancer.pick(input(0)), undefined)
})

void test('slow start factor rises linearly from 10 % to 100 % over the window', () => {
  const registry = new TargetRegistry()
  registry.startRamp('a:1', 0)
  const state = registry.get('a:1')
  assert.deepEqual([0, 1_500, 3_000, 15_000, 24_000, 30_000, 60_000].map((t) => slowStartFactor(state, t, 30_000)), [0.1, 0.1, 0.1, 0.5, 0.8, 1, 1])
  assert.equal(slowStartFactor(state, 0, 0), 1, 'window 0: off')
  assert.equal(slowStartFactor(registry.get('b:1'), 0, 30_000), 1, 'never ramped')
})

void test('slow start: a joining target’s share ramps with the factor over slow_start_ms', (t) => {
  const s = setup('round-robin', 2, { slowStartMs: 30_000 })
  const joiner = s.targets[1] as Target
  s.registry.startRamp(joiner.id, s.clock.now)
  const start = s.clock.now
  const shares: number[] = []
  for (const at of [0, 15_000, 24_000, 30_000]) {
    s.clock.now = start + at
    shares.push((share(s, 4000).get(joiner.id) ?? 0) / 4000)
  }
  t.diagnostic(`joiner's share at 0/15/24/30 s: ${shares.map((x) => (x * 100).toFixed(1)).join('/')} %`)
  // Round-robin over two equal targets gives the joiner f/2 of the picks: 0.05, 0.25, 0.4, 0.5.
  ;[0.05, 0.25, 0.4, 0.5].forEach((expected, k) => {
    assert.ok(Math.abs((shares[k] as number) - expected) < 0.03, `shares ${shares.map((x) => x.toFixed(3)).join('/')}`)
  })
})

void test('slow start after an ejection: the target returns at 10 % of its share', () => {
  const s = setup('round-robin', 2, { slowStartMs: 30_000, passive: { maxEjectedPercent: 100 }, panicThresholdPercent: 0 })
  const bad = s.targets[0] as Target
  fail(s, bad)
  s.clock.now = s.registry.get(bad.id).ejectedUntilMs
  const returned = (share(s, 4000).get(bad.id) ?? 0) / 4000
  assert.ok(Math.abs(returned - 0.05) < 0.02, `share just after return ${returned}`)
})

void test('consistent-hash gets no slow start: keys stay on their owner', () => {
  const s = setup('consistent-hash', 4, { slowStartMs: 30_000 })
  const before = Array.from({ length: 200 }, (_, i) => s.balancer.pick(input(i))?.id)
  for (const t of s.targets) s.registry.startRamp(t.id, s.clock.now)
  const during = Array.from({ length: 200 }, (_, i) => s.balancer.pick(input(i))?.id)
  assert.deepEqual(during, before)
})

void test('without ejections or ramps the pick is the inner balancer’s, with the caller’s exclude', () => {
  const registry = new TargetRegistry()
  const a = setup('round-robin', 3, {}, registry)
  const plain = createBalancer('round-robin', a.targets, new TargetRegistry())
  const exclude = new Set([(a.targets[1] as Target).id])
  for (let i = 0; i < 30; i++) assert.equal(a.balancer.pick(input(i), exclude)?.id, plain.pick(input(i), exclude)?.id)
})
