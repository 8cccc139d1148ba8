// Micro-benchmark of the balancers: operations per second of one pick + onSend + onDone, with
// 10 targets, each balancer bare and wrapped in HealthAwareBalancer (the request path's shape).
// Run after a build: `npx tsc -p . && node bench/balancers.mjs` (BENCH_OPS, BENCH_TARGETS to change).
import { performance } from 'node:perf_hooks'
import { BALANCER_NAMES, createBalancer } from '../dist/src/upstream/balancers/registry.js'
import { HealthAwareBalancer } from '../dist/src/upstream/health/health-aware-balancer.js'
import { TargetRegistry, toTargets } from '../dist/src/upstream/targets.js'

const OPS = Number(process.env.BENCH_OPS ?? 2_000_000)
const TARGETS = Number(process.env.BENCH_TARGETS ?? 10)
const ROUNDS = 5

const input = { merchantId: 'm-1', clientIp: '203.0.113.7', path: '/orders', header: () => undefined }
const entries = Array.from({ length: TARGETS }, (_, i) => ({ host: `10.0.0.${i + 1}`, port: 8080, weight: 100 }))

/** ops/s of pick + onSend + onDone; the fastest of ROUNDS runs (the least disturbed by other work). */
function measure (balancer) {
  let best = 0
  for (let round = 0; round < ROUNDS; round++) {
    const startedAt = performance.now()
    for (let i = 0; i < OPS; i++) {
      const target = balancer.pick(input)
      balancer.onSend(target)
      balancer.onDone(target, { latencyMs: 5 + (i & 7), ok: true })
    }
    best = Math.max(best, OPS / ((performance.now() - startedAt) / 1000))
  }
  return best
}

console.log(`node ${process.version}, ${TARGETS} targets, ${OPS} ops per round, best of ${ROUNDS}`)
console.log('balancer            bare (M ops/s)  with health (M ops/s)')
for (const name of BALANCER_NAMES) {
  const bare = measure(createBalancer(name, toTargets(entries), new TargetRegistry()))
  const registry = new TargetRegistry()
  const targets = toTargets(entries)
  const wrapped = measure(new HealthAwareBalancer(createBalancer(name, targets, registry), targets, registry))
  console.log(`${name.padEnd(20)}${(bare / 1e6).toFixed(2).padStart(14)}${(wrapped / 1e6).toFixed(2).padStart(23)}`)
}
