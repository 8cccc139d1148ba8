// The known failure of least-connections (issue 5; design-notes part 2.2, scenario A): a target
// that fails in 1 ms always looks idle, so least-connections sends it most of the traffic.
// p2c-peak-ewma counts each failure as a latency of at least the error penalty and must not.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { formatShares, simulate, type SimulatedBackend } from './testing/simulate.js'

const BACKENDS: SimulatedBackend[] = [
  { host: 'a', meanMs: 20 },
  { host: 'b', meanMs: 20 },
  { host: 'c', meanMs: 20 },
  { host: 'black-hole', meanMs: 20, failureRate: 1 }
]

const percent = (x: number): string => `${(x * 100).toFixed(1)} %`

void test('a fast-failing target draws most traffic under least-connections, not under p2c-peak-ewma', (t) => {
  // 64 callers, 20 000 requests, 20 ms mean service time: the design notes' scenario A.
  const run = (balancer: string, errorPenaltyMs?: number) => simulate({
    balancer, backends: BACKENDS, callers: 64, requests: 20_000, seed: 7, ...(errorPenaltyMs === undefined ? {} : { balancerOptions: { errorPenaltyMs } })
  })
  const leastConnections = run('least-connections')
  const p2c = run('p2c-peak-ewma')
  const p2cShortPenalty = run('p2c-peak-ewma', 1_000)
  t.diagnostic(`least-connections:                    shares a/b/c/black-hole ${formatShares(leastConnections.shares)}, errors ${percent(leastConnections.errorRate)}`)
  t.diagnostic(`p2c-peak-ewma (penalty 30 s, default): shares a/b/c/black-hole ${formatShares(p2c.shares)}, errors ${percent(p2c.errorRate)}`)
  t.diagnostic(`p2c-peak-ewma (penalty 1 s):           shares a/b/c/black-hole ${formatShares(p2cShortPenalty.shares)}, errors ${percent(p2cShortPenalty.errorRate)}`)
  assert.ok(leastConnections.shares[3]! > 0.5, `least-connections: ${formatShares(leastConnections.shares)}`)
  assert.ok(p2c.shares[3]! < 0.02, `p2c-peak-ewma: ${formatShares(p2c.shares)}`)
  // A penalty near the healthy targets' peak cost is too small to keep it away (34 %, like the
  // notes' 38.5 %): peak-EWMA cost tracks the recent maximum latency, ~150 ms here, times ~22 in flight.
  assert.ok(p2cShortPenalty.shares[3]! < leastConnections.shares[3]!)
  assert.deepEqual([...leastConnections.inFlightAfter, ...p2c.inFlightAfter], [0, 0, 0, 0, 0, 0, 0, 0])
})

void test('a target failing 30 % of the time in 1 ms: its equal share under least-connections, almost nothing under p2c-peak-ewma', (t) => {
  const backends = BACKENDS.map((b, i) => (i === 3 ? { ...b, failureRate: 0.3 } : b))
  const p2c = simulate({ balancer: 'p2c-peak-ewma', backends, callers: 64, requests: 20_000, seed: 7 })
  const leastConnections = simulate({ balancer: 'least-connections', backends, callers: 64, requests: 20_000, seed: 7 })
  t.diagnostic(`least-connections: shares ${formatShares(leastConnections.shares)}, errors ${percent(leastConnections.errorRate)}`)
  t.diagnostic(`p2c-peak-ewma:     shares ${formatShares(p2c.shares)}, errors ${percent(p2c.errorRate)}`)
  assert.ok(leastConnections.shares[3]! > 0.25, formatShares(leastConnections.shares))
  assert.ok(p2c.shares[3]! < 0.02, formatShares(p2c.shares))
})

void test('latencies 10/20/40/80 ms: both load-aware balancers favour the fast targets (scenario B)', (t) => {
  const backends = [10, 20, 40, 80].map((meanMs, i) => ({ host: `t${i}`, meanMs }))
  const shares = Object.fromEntries(['least-connections', 'p2c-peak-ewma'].map((balancer) =>
    [balancer, simulate({ balancer, backends, callers: 64, requests: 20_000, seed: 7 }).shares]))
  for (const [balancer, s] of Object.entries(shares)) {
    t.diagnostic(`${balancer}: shares 10/20/40/80 ms ${formatShares(s)}`)
    assert.ok(s[0]! > s[1]! && s[1]! > s[2]! && s[2]! > s[3]!, `${balancer}: ${formatShares(s)}`)
    assert.ok(s[3]! < 0.1, `${balancer}: ${formatShares(s)}`)
  }
})

void test('with passive ejection in front, the black hole gets almost nothing after its 5th failure, under every load-aware balancer', (t) => {
  for (const balancer of ['least-connections', 'p2c-peak-ewma']) {
    const run = simulate({ balancer, backends: BACKENDS, callers: 64, requests: 20_000, seed: 7, health: {} })
    t.diagnostic(`${balancer} + ejection: shares a/b/c/black-hole ${formatShares(run.shares)}, errors ${percent(run.errorRate)}`)
    assert.ok(run.counts[3]! <= 5 + 64, `${balancer}: ${run.counts.join('/')}`)
    assert.ok(run.errorRate < 0.005, `${balancer}: errors ${percent(run.errorRate)}`)
    assert.deepEqual(run.inFlightAfter, [0, 0, 0, 0])
  }
})
