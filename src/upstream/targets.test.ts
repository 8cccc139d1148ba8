import { test } from 'node:test'
import assert from 'node:assert/strict'
import { TargetRegistry, TargetState, targetId, toTargets } from './targets.js'

void test('targetId is host:port, with IPv6 literals in brackets', () => {
  assert.equal(targetId('10.0.0.1', 8080), '10.0.0.1:8080')
  assert.equal(targetId('api.internal', 80), 'api.internal:80')
  assert.equal(targetId('::1', 8080), '[::1]:8080')
  assert.equal(targetId('[::1]', 8080), '[::1]:8080')
})

void test('toTargets builds frozen targets in config order', () => {
  const targets = toTargets([{ host: 'a', port: 1, weight: 5 }, { host: 'b', port: 65535, weight: 0 }])
  assert.deepEqual(targets, [{ id: 'a:1', host: 'a', port: 1, weight: 5 }, { id: 'b:65535', host: 'b', port: 65535, weight: 0 }])
  assert.ok(Object.isFrozen(targets[0]))
})

const BAD = [
  ['an empty host', { host: '', port: 80, weight: 1 }],
  ['port 0', { host: 'a', port: 0, weight: 1 }],
  ['port 65536', { host: 'a', port: 65536, weight: 1 }],
  ['a fractional port', { host: 'a', port: 80.5, weight: 1 }],
  ['a negative weight', { host: 'a', port: 80, weight: -1 }],
  ['a fractional weight', { host: 'a', port: 80, weight: 1.5 }],
  ['a NaN weight', { host: 'a', port: 80, weight: Number.NaN }]
] as const

for (const [name, entry] of BAD) {
  void test(`toTargets throws on ${name}`, () => {
    assert.throws(() => toTargets([entry]), /^Error: targets: /)
  })
}

void test('toTargets throws on a target listed twice', () => {
  assert.throws(() => toTargets([{ host: 'a', port: 80, weight: 1 }, { host: 'a', port: 80, weight: 2 }]), /a:80 is listed twice/)
})

void test('the registry returns one state per id, created on first use', () => {
  const registry = new TargetRegistry()
  assert.equal(registry.peek('a:1'), undefined)
  const state = registry.get('a:1')
  assert.equal(registry.get('a:1'), state)
  assert.equal(registry.peek('a:1'), state)
  assert.equal(state.id, 'a:1')
  assert.equal(registry.size, 1)
})

void test('begin and end count attempts, outcomes and consecutive failures', () => {
  const state = new TargetState('a:1')
  state.begin()
  state.begin()
  state.begin()
  state.end({ ok: false, latencyMs: 5 })
  state.end({ ok: false, latencyMs: 5 })
  assert.equal(state.consecutiveFailures, 2)
  state.end({ ok: true, latencyMs: 5 })
  assert.deepEqual({ ...state }, {
    id: 'a:1',
    inFlight: 0,
    sent: 3,
    succeeded: 1,
    failed: 2,
    consecutiveFailures: 0,
    unmatchedEnds: 0,
    costMs: 0,
    costAtMs: 0,
    costSamples: 0,
    ejectedUntilMs: -Infinity,
    ejections: 0,
    rampFromMs: -Infinity,
    outcomes: undefined,
    downFor: new Set()
  })
})

void test('an attempt the client aborted leaves consecutive failures alone', () => {
  const state = new TargetState('a:1')
  state.begin()
  state.begin()
  state.end({ ok: false, latencyMs: 5 })
  state.end({ ok: true, latencyMs: 5, aborted: true })
  assert.deepEqual([state.consecutiveFailures, state.succeeded, state.inFlight], [1, 1, 0])
})

void test('enrol: only targets new to the worker that join a running service are joiners', () => {
  const registry = new TargetRegistry()
  assert.deepEqual([...registry.enrol(new Map([['s1', ['a:1', 'b:1']], ['s2', ['c:1']]]))], [])
  const joined = registry.enrol(new Map([['s1', ['a:1', 'b:1', 'c:1', 'd:1']], ['s2', ['c:1']], ['s3', ['e:1']]]))
  // c:1 moved in from s2 (warm), e:1 belongs to a new service: only d:1 joined.
  assert.deepEqual([...joined], ['d:1'])
  // A target removed and listed again later is new again.
  registry.enrol(new Map([['s1', ['a:1']]]))
  assert.deepEqual([...registry.enrol(new Map([['s1', ['a:1', 'b:1']]]))], ['b:1'])
})

void test('recordCost: the first sample is taken as is, a higher one replaces the cost, a lower one is blended by elapsed time', () => {
  const state = new TargetState('a:1')
  state.recordCost(40, 1_000, 10_000)
  assert.deepEqual([state.costMs, state.costAtMs, state.costSamples], [40, 1_000, 1])
  state.recordCost(100, 1_000, 10_000)
  assert.equal(state.costMs, 100)
  // Same instant: a lower sample has no weight yet.
  state.recordCost(10, 1_000, 10_000)
  assert.equal(state.costMs, 100)
  // One time constant later: 100·e^−1 + 10·(1 − e^−1) ≈ 43.
  state.recordCost(10, 11_000, 10_000)
  assert.ok(Math.abs(state.costMs - (100 * Math.exp(-1) + 10 * (1 - Math.exp(-1)))) < 1e-9)
  assert.equal(state.costSamples, 4)
})

void test('decayedCostMs decays with the time constant and never grows for a clock that steps back', () => {
  const state = new TargetState('a:1')
  state.recordCost(200, 5_000, 10_000)
  assert.equal(state.decayedCostMs(5_000, 10_000), 200)
  assert.ok(Math.abs(state.decayedCostMs(25_000, 10_000) - 200 * Math.exp(-2)) < 1e-9)
  assert.equal(state.decayedCostMs(4_000, 10_000), 200)
})

void test('a slower sample than the decayed cost replaces it (peak), even below the undecayed cost', () => {
  const state = new TargetState('a:1')
  state.recordCost(100, 0, 10_000)
  // 20 s later the cost has decayed to 100·e^−2 ≈ 13.5: a 50 ms answer is a new peak.
  state.recordCost(50, 20_000, 10_000)
  assert.equal(state.costMs, 50)
  assert.equal(state.costAtMs, 20_000)
})

void test('an end without a begin never makes in-flight negative and is counted', () => {
  const state = new TargetState('a:1')
  state.end({ ok: true, latencyMs: 1 })
  assert.equal(state.inFlight, 0)
  assert.equal(state.unmatchedEnds, 1)
})

void test('prune forgets idle targets that are no longer listed, and keeps busy ones', () => {
  const registry = new TargetRegistry()
  registry.get('kept:1')
  registry.get('idle:1')
  registry.get('busy:1').begin()
  assert.equal(registry.prune(['kept:1']), 1)
  assert.equal(registry.peek('idle:1'), undefined)
  assert.ok(registry.peek('kept:1'))
  assert.equal(registry.peek('busy:1')?.inFlight, 1)
  registry.get('busy:1').end({ ok: true, latencyMs: 1 })
  assert.equal(registry.prune(['kept:1']), 1)
  assert.equal(registry.size, 1)
})

void test('setActiveHealth: down while any service finds it down; back up it ramps; prune forgets it', () => {
  const registry = new TargetRegistry()
  assert.equal(registry.setActiveHealth('a:1', 'one', false, 10), true)
  assert.equal(registry.setActiveHealth('a:1', 'two', false, 11), false)
  assert.deepEqual([...registry.down], ['a:1'])
  assert.equal(registry.setActiveHealth('a:1', 'one', true, 12), false)
  assert.equal(registry.get('a:1').rampFromMs, -Infinity)
  assert.equal(registry.setActiveHealth('a:1', 'two', true, 13), true)
  assert.equal(registry.down.size, 0)
  assert.equal(registry.get('a:1').rampFromMs, 13)
  registry.setActiveHealth('b:1', 'one', false, 14)
  registry.prune([])
  assert.equal(registry.down.size, 0)
})
