// What a running CPU profile costs a worker: the same closed-loop load against one worker with and
// without a profile running, in alternating rounds (so drift on a shared machine hits both sides).
// Run after `npm run build`:
//   node bench/profile-overhead.mjs [rounds=6] [seconds=5] [interval_us=1000] [connections=16]
// The primary runs in this process (its profiler is called directly, as /debug/profile does), the
// upstream in a child process, the load generator here. Prints each round and the medians of two
// ratios, profiled / plain: throughput (moves with whatever else the machine runs) and the worker's
// CPU time per request from /proc (user + system, the profiler's sampling thread included), which
// a busy machine disturbs much less.
import cluster from 'node:cluster'
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { runLoad } from './load.mjs'

const dist = new URL('../dist/src/', import.meta.url)
const [rounds = 6, seconds = 5, intervalUs = 1000, connections = 16] = process.argv.slice(2).map(Number)

const round3 = (x) => Math.round(x * 1000) / 1000

/** Median, min and max of profiled/plain ratios. */
function spread (values) {
  const sorted = [...values].sort((a, b) => a - b)
  return { median: round3(sorted[Math.floor(sorted.length / 2)]), min: round3(sorted[0]), max: round3(sorted.at(-1)) }
}

async function main () {
  const { Primary } = await import(new URL('server/primary.js', dist))
  const { loadGatewayConfig } = await import(new URL('server/load-config.js', dist))
  const { createLogger } = await import(new URL('observability/log.js', dist))
  const upstream = fork(new URL(import.meta.url).pathname, ['upstream'])
  const upstreamPort = await new Promise((resolve) => upstream.once('message', resolve))
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-overhead-'))
  const port = 20000 + Math.floor(Math.random() * 20000)
  const file = join(dir, 'config.json.yaml')
  writeFileSync(file, JSON.stringify({
    gateway: { listeners: [{ name: 'bench', host: '127.0.0.1', port }], log: { level: 'warn' } },
    services: [{ id: 'up', targets: [{ host: '127.0.0.1', port: upstreamPort }] }],
    routes: [{ id: 'api', service: 'up', paths: ['/api/*'] }],
    merchants: [{ id: 'm1', credentials: { api_keys: [{ key: 'bench-key-000001' }] } }],
    plugins: [{ name: 'key-auth', route: 'api' }, { name: 'access-log', config: { path: join(dir, 'access.log') } }]
  }))
  const loaded = await loadGatewayConfig(file)
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems))
  cluster.setupPrimary({ exec: new URL('main.js', dist).pathname })
  const primary = new Primary(loaded.config, { configPath: file, workers: 1, pidFile: join(dir, 'pid') }, createLogger('primary', 'warn'))
  primary.start()
  const workerPid = () => Object.values(cluster.workers)[0].process.pid
  const cpuMs = (pid) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')
    return (Number(fields[11]) + Number(fields[12])) * 10 // utime + stime, in 100 Hz ticks
  }
  const measured = async (run) => {
    const pid = workerPid()
    const before = cpuMs(pid)
    const result = await run()
    return { ...result, cpuUsPerRequest: 1000 * (cpuMs(pid) - before) / Math.max(1, result.requests) }
  }
  const load = () => runLoad({ url: `http://127.0.0.1:${port}/api/orders`, seconds, connections, headers: { apikey: 'bench-key-000001' } })
  while ((await runLoad({ url: `http://127.0.0.1:${port}/api/x`, seconds: 0.2, connections: 1 })).requests === 0) { /* wait for the worker */ }
  await load() // warm-up: JIT, connections
  const ratios = []
  const cpuRatios = []
  for (let round = 0; round < rounds; round++) {
    // Alternate which side goes first, so a trend on the machine does not favour one.
    const order = round % 2 === 0 ? ['plain', 'profiled'] : ['profiled', 'plain']
    const result = {}
    for (const side of order) {
      if (side === 'plain') result.plain = await measured(load)
      else {
        const profiling = primary.profiler.profile({ seconds: seconds + 1, worker: 'all', intervalUs })
        await new Promise((resolve) => setTimeout(resolve, 300)) // the profiler is running
        result.profiled = await measured(load)
        const outcome = await profiling
        result.samples = outcome.profile.samples.length
        result.bytes = JSON.stringify(outcome.profile).length
      }
    }
    const ratio = result.profiled.rps / result.plain.rps
    const cpuRatio = result.profiled.cpuUsPerRequest / result.plain.cpuUsPerRequest
    ratios.push(ratio)
    cpuRatios.push(cpuRatio)
    console.log(JSON.stringify({ round, plainRps: result.plain.rps, profiledRps: result.profiled.rps, rpsRatio: round3(ratio),
      plainCpuUsPerReq: round3(result.plain.cpuUsPerRequest), profiledCpuUsPerReq: round3(result.profiled.cpuUsPerRequest), cpuRatio: round3(cpuRatio),
      plainP99Ms: result.plain.p99Ms, profiledP99Ms: result.profiled.p99Ms, samples: result.samples, profileBytes: result.bytes, errors: result.plain.errors + result.profiled.errors }))
  }
  console.log(JSON.stringify({ intervalUs, seconds, connections, rounds, rps: spread(ratios), cpuPerRequest: spread(cpuRatios) }))
  upstream.kill()
  rmSync(dir, { recursive: true, force: true })
  process.kill(process.pid, 'SIGTERM') // the primary drains its worker and exits
}

if (process.argv[2] === 'upstream') {
  const http = await import('node:http')
  const server = http.createServer((_req, res) => res.end('{"ok":true}'))
  server.keepAliveTimeout = 60_000
  server.listen(0, '127.0.0.1', () => process.send(server.address().port))
} else {
  await main()
}
