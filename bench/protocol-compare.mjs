// Compares HTTP → HTTP, HTTP → TG-RPC and HTTP → gRPC through Tollgate's bench chain (key-auth,
// fixed-window limit, access log) in one interleaved run, with the shared harness's layout:
// the gateway (one worker) pinned to CPU 1; wrk, the nginx upstream and the RPC backends on CPU 0.
//   npm run build && node bench/protocol-compare.mjs [rounds=3] [seconds=10] [variants=http,tgrpc]
// The harness runs one Tollgate configuration per run; this script puts the protocols side by
// side in every round, so a slow minute hits all of them. It reports the gateway's own CPU per
// request apart from the backend's (the harness counts a bundled backend as part of the gateway,
// since it is started by the gateway's command), and how busy each CPU was: when CPU 0 is full,
// wrk and the backend bound the rate, not the gateway.
// Needs nginx and wrk (../shared/bench/setup.sh installs them).
import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, groupTicks, pinned, TICK_US } from './process-cpu.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const sharedBench = join(here, '..', '..', 'shared', 'bench')
const rounds = Number(process.argv[2] ?? 3)
const seconds = Number(process.argv[3] ?? 10)
const variants = (process.argv[4] ?? 'http,tgrpc').split(',')
const LOAD_KEY = 'bench-key-7f3a9c1e'
const VARIANT_ENV = { http: {}, tgrpc: { BENCH_TGRPC: '1' }, grpc: { BENCH_GRPC: '1' } }
for (const variant of variants) if (!(variant in VARIANT_ENV)) throw new Error(`unknown variant ${variant} (http, tgrpc, grpc)`)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function waitListening (port, what) {
  for (let i = 0; i < 300; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) }).on('error', () => resolve(false))
    })
    if (up) return
    await sleep(100)
  }
  throw new Error(`${what} did not listen on ${port}`)
}

/** The harness's upstream: one nginx worker with a fixed ~100-byte answer, on CPU 0. */
async function startUpstream () {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-protocol-upstream-'))
  for (const dir of ['logs', 'tmp']) mkdirSync(join(prefix, dir))
  const port = await freePort()
  const conf = readFileSync(join(sharedBench, 'conf', 'upstream.conf'), 'utf8').replaceAll('@PORT@', String(port))
  writeFileSync(join(prefix, 'nginx.conf'), conf)
  const [command, args] = pinned(0, ['nginx', '-p', `${prefix}/`, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr', '-g', 'daemon off;'])
  const child = spawn(command, args, { detached: true, stdio: 'ignore' })
  await waitListening(port, 'nginx upstream')
  return { port, stop: () => { process.kill(-child.pid, 'SIGTERM'); rmSync(prefix, { recursive: true, force: true }) } }
}

/** The role of a process of the gateway's group: its bundled backend, or the gateway. */
const roleOf = (cmdline) => /(tgrpc|grpc)-bench-backend/.test(cmdline) ? 'backend' : 'gateway'

/** Busy and total ticks of CPU 0 and CPU 1. */
function cpuTicks () {
  const result = {}
  for (const line of readFileSync('/proc/stat', 'latin1').split('\n')) {
    const match = /^cpu([01]) (.*)$/.exec(line)
    if (match === null) continue
    const f = match[2].trim().split(/\s+/).map(Number)
    const busy = f[0] + f[1] + f[2] + f[5] + f[6] + f[7]
    result[match[1]] = { busy, total: busy + f[3] + f[4] }
  }
  return result
}

function wrk (port, durationS) {
  const [command, args] = pinned(0, ['wrk', '-t1', '-c64', `-d${durationS}s`, '--latency', '-H', `apikey: ${LOAD_KEY}`, `http://127.0.0.1:${port}/api/echo`])
  const result = spawnSync(command, args, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`wrk failed: ${result.stderr}`)
  const out = result.stdout
  const number = (pattern) => { const m = pattern.exec(out); return m === null ? 0 : Number(m[1]) }
  const ms = (pattern) => { const m = pattern.exec(out); if (m === null) return NaN; return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 }[m[2]]) }
  return {
    requests: number(/(\d+) requests in/),
    rps: Math.round(number(/Requests\/sec:\s+([\d.]+)/)),
    p50Ms: ms(/50%\s+([\d.]+)(us|ms|s)/),
    p99Ms: ms(/99%\s+([\d.]+)(us|ms|s)/),
    bad: number(/Non-2xx or 3xx responses: (\d+)/) + number(/Socket errors: connect (\d+)/) + number(/read (\d+), write/) + number(/timeout (\d+)/)
  }
}

async function measure (variant, upstreamPort, expectedBody) {
  const port = await freePort()
  const env = {
    ...process.env, ...VARIANT_ENV[variant],
    BENCH_LISTEN_PORT: String(port), BENCH_WORKERS: '1', BENCH_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}`,
    BENCH_CONSUMERS_FILE: process.env.BENCH_CONSUMERS_FILE ?? join(sharedBench, 'consumers.txt'), BENCH_RATE_WINDOW_S: '60',
    BENCH_TGRPC_PORT: String(await freePort()), BENCH_GRPC_PORT: String(await freePort()), NODE_ENV: 'production'
  }
  const [command, args] = pinned(1, [process.execPath, join(here, 'tollgate-bench.mjs')])
  const gateway = spawn(command, args, { env, detached: true, stdio: 'ignore' })
  try {
    await waitListening(port, `tollgate (${variant})`)
    const answer = await globalThis.fetch(`http://127.0.0.1:${port}/api/echo`, { headers: { apikey: LOAD_KEY } })
    const body = await answer.text()
    if (answer.status !== 200 || body !== expectedBody) throw new Error(`${variant}: the gateway answered ${answer.status} ${body.slice(0, 200)}, not the upstream's body`)
    wrk(port, 5) // warm-up: JIT, pools
    const before = { group: groupTicks(gateway.pid, roleOf), cpus: cpuTicks() }
    const load = wrk(port, seconds)
    const after = { group: groupTicks(gateway.pid, roleOf), cpus: cpuTicks() }
    if (load.bad > 0 || load.requests === 0) throw new Error(`${variant}: ${load.bad} failed answers or socket errors: the measurement is invalid`)
    const perRequest = (role) => Math.round(((after.group[role] ?? 0) - (before.group[role] ?? 0)) * TICK_US / load.requests * 10) / 10
    const busy = (cpu) => Math.round(100 * (after.cpus[cpu].busy - before.cpus[cpu].busy) / (after.cpus[cpu].total - before.cpus[cpu].total))
    return { ...load, gatewayUs: perRequest('gateway'), backendUs: perRequest('backend'), cpu0: busy('0'), cpu1: busy('1') }
  } finally {
    process.kill(-gateway.pid, 'SIGTERM')
    await new Promise((resolve) => gateway.exitCode !== null ? resolve() : gateway.once('exit', resolve))
  }
}

const upstream = await startUpstream()
const results = Object.fromEntries(variants.map((v) => [v, []]))
try {
  const expectedBody = await (await globalThis.fetch(`http://127.0.0.1:${upstream.port}/api/echo`)).text()
  for (let round = 1; round <= rounds; round++) {
    for (const variant of variants) {
      const r = await measure(variant, upstream.port, expectedBody)
      results[variant].push(r)
      console.log(`round ${round}/${rounds}  ${variant.padEnd(5)}  rps=${r.rps}  p50=${r.p50Ms}ms  p99=${r.p99Ms}ms  gateway CPU/req ${r.gatewayUs}us  backend CPU/req ${r.backendUs}us  cpu0 ${r.cpu0}%  cpu1 ${r.cpu1}%`)
    }
  }
} finally {
  upstream.stop()
}
const median = (list) => { const s = [...list].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
const base = median(results[variants[0]].map((r) => r.rps))
console.log(`\nvariant     rps  rps min-max     p50 ms  p99 ms  gw us/req  backend us/req  cpu0%  cpu1%  rps ratio (to ${variants[0]})`)
for (const variant of variants) {
  const list = results[variant]
  const m = (key) => median(list.map((r) => r[key]))
  const range = `${Math.min(...list.map((r) => r.rps))}-${Math.max(...list.map((r) => r.rps))}`
  console.log(`${variant.padEnd(7)}  ${String(m('rps')).padStart(6)}  ${range.padEnd(13)}  ${m('p50Ms').toFixed(2).padStart(7)}  ${m('p99Ms').toFixed(2).padStart(6)}  ${String(m('gatewayUs')).padStart(9)}  ${String(m('backendUs')).padStart(14)}  ${String(m('cpu0')).padStart(5)}  ${String(m('cpu1')).padStart(5)}  ${(m('rps') / base).toFixed(2).padStart(9)}`)
}
