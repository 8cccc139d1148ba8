// Compares Tollgate's bench config with key-auth against the same config with merchant-signature
// (every request signed afresh: HMAC-SHA256 over a canonical string, timestamp window, nonce
// recorded), which the shared harness cannot load (its wrk sends one fixed apikey header).
//   npm run build && node bench/auth-compare.mjs [rounds=3] [seconds=10]
// Layout as in the shared harness: Tollgate (one worker) pinned to CPU 1; the load generator
// (bench/signed-load.mjs) and a fixed-answer upstream pinned to CPU 0. Both variants use the same
// generator, so the generator's own cost (signing) never counts against the gateway: compare the
// gateway's CPU time per request (from /proc), and rps only as a relative figure.
import { spawn, spawnSync } from 'node:child_process'
import net from 'node:net'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, groupTicks, pinned, TICK_US } from './process-cpu.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const rounds = Number(process.argv[2] ?? 3)
const seconds = Number(process.argv[3] ?? 10)
const CONSUMER = { key: 'bench-key-7f3a9c1e', id: 'merchant-0001' }

if (process.argv[2] === '--upstream') serveFixedAnswers(Number(process.argv[3]))
else await compare()

/** The upstream: answers every request head with the same 94-byte JSON body, keep-alive. */
function serveFixedAnswers (port) {
  const body = '{"ok":true,"service":"bench-upstream","payload":"0123456789abcdef0123456789abcdef0123456"}'
  const answer = Buffer.from(`HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: ${body.length}\r\n\r\n${body}`)
  net.createServer({ noDelay: true }, (socket) => {
    let carry = ''
    socket.on('data', (chunk) => {
      const text = carry + chunk.toString('latin1')
      const heads = text.split('\r\n\r\n')
      carry = heads.pop() ?? ''
      for (let i = 0; i < heads.length; i++) socket.write(answer)
    })
    socket.on('error', () => socket.destroy())
  }).listen(port, '127.0.0.1', () => console.log('ready'))
}

/** Starts a child and resolves once its output says `marker` (or it accepts connections on `port`). */
async function startChild (command, args, env, port) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'inherit'] })
  child.stdout.resume()
  for (let i = 0; i < 200; i++) {
    const up = await new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => { socket.destroy(); resolve(true) }).on('error', () => resolve(false))
    })
    if (up) return child
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw new Error(`${args.join(' ')} did not listen on ${port}`)
}

function runLoad (port, auth, durationS) {
  const args = [process.execPath, join(here, 'signed-load.mjs'), '--url', `http://127.0.0.1:${port}/api/echo`, '--seconds', String(durationS), '--connections', '64', ...auth]
  const [command, rest] = pinned(0, args)
  const result = spawnSync(command, rest, { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(`load failed: ${result.stderr}`)
  return JSON.parse(result.stdout.trim().split('\n').pop())
}

async function measure (variant, upstreamPort) {
  const port = await freePort()
  const env = {
    BENCH_LISTEN_PORT: String(port), BENCH_WORKERS: '1', BENCH_UPSTREAM_URL: `http://127.0.0.1:${upstreamPort}`,
    BENCH_CONSUMERS_FILE: join(here, '..', '..', 'shared', 'bench', 'consumers.txt'), BENCH_RATE_WINDOW_S: '60',
    BENCH_AUTH: variant, NODE_ENV: 'production'
  }
  if (process.env.BENCH_CONSUMERS_FILE) env.BENCH_CONSUMERS_FILE = process.env.BENCH_CONSUMERS_FILE
  const [command, args] = pinned(1, [process.execPath, join(here, 'tollgate-bench.mjs')])
  const gateway = await startChild(command, args, env, port)
  const auth = variant === 'key' ? ['--apikey', CONSUMER.key] : ['--sign', `${CONSUMER.id}:bench-secret-${CONSUMER.id}`]
  try {
    runLoad(port, auth, 3) // warm-up: JIT, pools
    const before = groupTicks(gateway.pid).group
    const load = runLoad(port, auth, seconds)
    const cpuUs = (groupTicks(gateway.pid).group - before) * TICK_US
    const ok = load.statuses['200'] ?? 0
    if (ok !== load.requests || load.errors > 0) throw new Error(`${variant}: not every answer was 200: ${JSON.stringify(load)}`)
    return { variant, rps: load.rps, p50Ms: load.p50Ms, p99Ms: load.p99Ms, cpuUsPerReq: Math.round(cpuUs / load.requests * 10) / 10 }
  } finally {
    process.kill(-gateway.pid, 'SIGTERM')
    await new Promise((resolve) => gateway.once('exit', resolve))
  }
}

async function compare () {
  const upstreamPort = await freePort()
  const [command, args] = pinned(0, [process.execPath, fileURLToPath(import.meta.url), '--upstream', String(upstreamPort)])
  const upstream = await startChild(command, args, {}, upstreamPort)
  const results = { key: [], signature: [] }
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const variant of ['key', 'signature']) {
        const result = await measure(variant, upstreamPort)
        results[variant].push(result)
        console.log(`round ${round}/${rounds}  ${variant.padEnd(9)}  rps=${result.rps}  p50=${result.p50Ms}ms  p99=${result.p99Ms}ms  gateway CPU/req: ${result.cpuUsPerReq}us`)
      }
    }
  } finally {
    process.kill(-upstream.pid, 'SIGTERM')
  }
  const median = (list) => { const s = [...list].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }
  console.log('\nvariant      rps  rps min-max    p50 ms  p99 ms  gw CPU us/req  rps ratio  CPU/req ratio')
  const base = { rps: median(results.key.map((r) => r.rps)), cpu: median(results.key.map((r) => r.cpuUsPerReq)) }
  for (const variant of ['key', 'signature']) {
    const list = results[variant]
    const rps = median(list.map((r) => r.rps))
    const cpu = median(list.map((r) => r.cpuUsPerReq))
    const range = `${Math.min(...list.map((r) => r.rps))}-${Math.max(...list.map((r) => r.rps))}`
    console.log(`${variant.padEnd(9)}  ${String(rps).padStart(6)}  ${range.padEnd(13)}  ${String(median(list.map((r) => r.p50Ms))).padStart(6)}  ${String(median(list.map((r) => r.p99Ms))).padStart(6)}  ${String(cpu).padStart(13)}  ${(rps / base.rps).toFixed(2).padStart(9)}  ${(cpu / base.cpu).toFixed(2).padStart(13)}`)
  }
}
