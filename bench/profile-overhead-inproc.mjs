// The profiler's cost on the request path's own CPU work, without sockets: requests run through
// the real pipeline in-process (inject(); key-auth refuses them in the access phase, so no upstream
// is involved) in alternating blocks with and without a running CPU profile of this process.
// Less disturbed by a busy machine than a network load test: both sides alternate every block,
// and CPU time (process.cpuUsage, the profiler's sampling thread included) is what is compared.
//   node bench/profile-overhead-inproc.mjs [rounds=10] [block_seconds=1] [interval_us=1000]
import { performance } from 'node:perf_hooks'
import { InProcessGateway } from '../dist/src/testing/inject.js'
import { profileThisProcess } from '../dist/src/profiler/worker-profiler.js'

const [rounds = 10, blockSeconds = 1, intervalUs = 1000] = process.argv.slice(2).map(Number)
const gateway = new InProcessGateway().load({
  gateway: { listeners: [{ name: 'x', host: '127.0.0.1', port: 1 }] },
  services: [{ id: 'up', targets: [{ host: '127.0.0.1', port: 9 }] }],
  routes: [{ id: 'api', service: 'up', paths: ['/api/*'] }],
  merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'bench-key-000001' }] } }],
  plugins: [{ name: 'key-auth', route: 'api' }]
})

async function block (profiled) {
  const profiling = profiled ? profileThisProcess(blockSeconds + 0.2, intervalUs) : undefined
  const cpuBefore = process.cpuUsage()
  const started = performance.now()
  const until = started + blockSeconds * 1000
  let requests = 0
  while (performance.now() < until) {
    for (let i = 0; i < 100; i++) {
      const answer = await gateway.inject({ url: '/api/orders', headers: { apikey: 'nope-nope-nope' } })
      if (answer.status !== 401) throw new Error(`expected 401, got ${answer.status}`)
    }
    requests += 100
  }
  const cpu = process.cpuUsage(cpuBefore)
  const wallMs = performance.now() - started
  await profiling
  return { cpuUsPerRequest: (cpu.user + cpu.system) / requests, rps: 1000 * requests / wallMs }
}

const round3 = (x) => Math.round(x * 1000) / 1000
function spread (values) {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: round3(sorted[Math.floor(sorted.length / 2)]), min: round3(sorted[0]), max: round3(sorted.at(-1)) }
}

await block(false) // warm-up: JIT
await block(true) // the first profile also makes V8 record source positions once
const cpuRatios = []
const rpsRatios = []
for (let round = 0; round < rounds; round++) {
  const first = round % 2 === 0
  const a = await block(!first)
  const b = await block(first)
  const [plain, profiled] = first ? [b, a] : [a, b]
  cpuRatios.push(profiled.cpuUsPerRequest / plain.cpuUsPerRequest)
  rpsRatios.push(profiled.rps / plain.rps)
  console.log(JSON.stringify({ round, plainCpuUsPerReq: round3(plain.cpuUsPerRequest), profiledCpuUsPerReq: round3(profiled.cpuUsPerRequest), plainRps: Math.round(plain.rps), profiledRps: Math.round(profiled.rps) }))
}
console.log(JSON.stringify({ intervalUs, rounds, blockSeconds, cpuPerRequest: spread(cpuRatios), rps: spread(rpsRatios) }))
