import { test } from 'node:test'
import assert from 'node:assert/strict'
import { seededRandom } from '../balancers/random.js'
import { TargetRegistry, toTargets } from '../targets.js'
import type { Target } from '../transport/transport.js'
import { OutlierDetector, type PassiveHealthOptions } from './outlier.js'

/** n targets t0..t(n-1) of weight 1, a registry and a detector on a fake clock. */
function setup (n: number, options: PassiveHealthOptions = {}): { targets: Target[], registry: TargetRegistry, detector: OutlierDetector, clock: { now: number } } {
  const targets = toTargets(Array.from({ length: n }, (_, i) => ({ host: `t${i}`, port: 80, weight: 1 })))
  const registry = new TargetRegistry()
  const detector = new OutlierDetector('svc', targets, registry, { ejectionJitterMs: 0, ...options }, seededRandom(1))
  return { targets, registry, detector, clock: { now: 1_000_000 } }
}

/** One attempt to `target` ending with `ok`, counted as the balancer would, then seen by the detector. */
function attempt (s: ReturnType<typeof setup>, target: Target, ok: boolean): void {
  const state = s.registry.get(target.id)
  state.begin()
  const outcome = { ok, latencyMs: 1 }
  state.end(outcome)
  s.detector.record(target, outcome, s.clock.now)
}

function failTimes (s: ReturnType<typeof setup>, target: Target, times: number): void {
  for (let i = 0; i < times; i++) attempt(s, target, false)
}

/** Ejection length of `target` as seen now, ms. */
function ejectedForMs (s: ReturnType<typeof setup>, target: Target): number {
  return s.registry.get(target.id).ejectedUntilMs - s.clock.now
}

void test('a target is ejected after 5 consecutive failures, not after 4', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  failTimes(s, t, 4)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false)
  attempt(s, t, false)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), true)
  assert.equal(ejectedForMs(s, t), 30_000)
  assert.equal(s.detector.ejected, 1)
})

void test('a success resets the consecutive failures', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  failTimes(s, t, 4)
  attempt(s, t, true)
  failTimes(s, t, 4)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false)
  assert.equal(s.registry.get(t.id).consecutiveFailures, 4)
})

void test('an attempt the client aborted counts neither as success nor as failure', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  failTimes(s, t, 4)
  const state = s.registry.get(t.id)
  state.begin()
  const aborted = { ok: true, latencyMs: 1, aborted: true }
  state.end(aborted)
  s.detector.record(t, aborted, s.clock.now)
  attempt(s, t, false)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), true)
})

void test('the ejection lasts 30 s × times ejected, capped at 300 s', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  const lengths: number[] = []
  for (let n = 1; n <= 12; n++) {
    failTimes(s, t, 5)
    lengths.push(ejectedForMs(s, t))
    // Back just after the ejection ends, then failing again at once.
    s.clock.now = s.registry.get(t.id).ejectedUntilMs + 1
  }
  assert.deepEqual(lengths, [30, 60, 90, 120, 150, 180, 210, 240, 270, 300, 300, 300].map((seconds) => seconds * 1000))
})

void test('jitter adds up to ejection_jitter_ms to each ejection', () => {
  const s = setup(10, { ejectionJitterMs: 5_000 })
  const lengths: number[] = []
  for (const t of s.targets.slice(0, 1)) {
    for (let n = 0; n < 20; n++) {
      failTimes(s, t, 5)
      lengths.push(ejectedForMs(s, t) - Math.min(30_000 * (n + 1), 300_000))
      s.clock.now = s.registry.get(t.id).ejectedUntilMs + 1
    }
  }
  assert.ok(lengths.every((jitter) => jitter >= 0 && jitter < 5_000), lengths.join(','))
  assert.ok(new Set(lengths).size > 10, 'the jitter varies')
})

void test('a target that stayed in for max_ejection_ms starts over at 30 s', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  failTimes(s, t, 5)
  s.clock.now = s.registry.get(t.id).ejectedUntilMs + 1
  failTimes(s, t, 5)
  assert.equal(ejectedForMs(s, t), 60_000)
  s.clock.now = s.registry.get(t.id).ejectedUntilMs + 300_000
  failTimes(s, t, 5)
  assert.equal(ejectedForMs(s, t), 30_000)
})

void test('failures while ejected (attempts sent before) do not extend the ejection', () => {
  const s = setup(10)
  const t = s.targets[0] as Target
  failTimes(s, t, 5)
  const until = s.registry.get(t.id).ejectedUntilMs
  failTimes(s, t, 10)
  assert.equal(s.registry.get(t.id).ejectedUntilMs, until)
  assert.equal(s.detector.ejected, 1)
})

void test('at most 10 % of the targets are ejected at once: 2 of 20', () => {
  const s = setup(20)
  for (const t of s.targets.slice(0, 3)) failTimes(s, t, 5)
  assert.equal(s.detector.ejectedCount(s.clock.now), 2)
  assert.equal(s.detector.isEjected((s.targets[2] as Target).id, s.clock.now), false)
  assert.equal(s.detector.refusedByCap, 1)
})

void test('at least one target may be ejected, even where 10 % is less than one: 1 of 3', () => {
  const s = setup(3)
  for (const t of s.targets.slice(0, 2)) failTimes(s, t, 5)
  assert.equal(s.detector.ejectedCount(s.clock.now), 1)
  assert.equal(s.detector.isEjected((s.targets[0] as Target).id, s.clock.now), true)
})

void test('the cap frees up when an ejection ends: the next failing target can go', () => {
  const s = setup(3)
  const [a, b] = s.targets as [Target, Target]
  failTimes(s, a, 5)
  failTimes(s, b, 5)
  assert.equal(s.detector.isEjected(b.id, s.clock.now), false)
  s.clock.now += 30_001
  attempt(s, b, false)
  assert.equal(s.detector.isEjected(b.id, s.clock.now), true)
})

void test('a failure rate at or above 50 % over at least 50 attempts in the window ejects', () => {
  const s = setup(10, { consecutiveFailures: 0 })
  const t = s.targets[0] as Target
  for (let i = 0; i < 48; i++) attempt(s, t, i % 2 === 0)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false, 'under the minimum volume')
  attempt(s, t, true)
  attempt(s, t, false)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), true)
})

void test('a failure rate under the threshold does not eject', () => {
  const s = setup(10, { consecutiveFailures: 0 })
  const t = s.targets[0] as Target
  for (let i = 0; i < 300; i++) attempt(s, t, i % 5 !== 0)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false)
})

void test('failures older than the window do not count towards the rate', () => {
  const s = setup(10, { consecutiveFailures: 0, windowMs: 10_000 })
  const t = s.targets[0] as Target
  for (let i = 0; i < 40; i++) attempt(s, t, false)
  s.clock.now += 11_000
  for (let i = 0; i < 40; i++) attempt(s, t, i % 4 === 0)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false)
})

void test('enabled: false never ejects', () => {
  const s = setup(10, { enabled: false })
  const t = s.targets[0] as Target
  failTimes(s, t, 50)
  assert.equal(s.detector.isEjected(t.id, s.clock.now), false)
})

void test('options out of range throw, naming the option', () => {
  const targets = toTargets([{ host: 'a', port: 1, weight: 1 }])
  assert.throws(() => new OutlierDetector('s', targets, new TargetRegistry(), { windowMs: 500 }, seededRandom(1)), /windowMs must be an integer in 1000\.\.60000/)
  assert.throws(() => new OutlierDetector('s', targets, new TargetRegistry(), { maxEjectionMs: 10, baseEjectionMs: 20 }, seededRandom(1)), /maxEjectionMs/)
  assert.throws(() => new OutlierDetector('s', targets, new TargetRegistry(), { maxEjectedPercent: 101 }, seededRandom(1)), /maxEjectedPercent/)
})
