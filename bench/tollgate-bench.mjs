// Starts Tollgate for ../shared/bench/run.sh: turns the harness's BENCH_* variables and its
// consumers file into a config with the same work as openresty-chain (key-auth, a fixed-window
// counter per consumer, a buffered access log) on /api/*, then runs `tollgate start` on it.
//   TOLLGATE_CMD="node bench/tollgate-bench.mjs" TOLLGATE_PORT=18080 \
//     BENCH_GATEWAYS="openresty-chain node-naive tollgate" ../shared/bench/run.sh
// BENCH_TGRPC=1 measures HTTP → TG-RPC instead of HTTP → HTTP (see below).
// TOLLGATE_OBSERVABILITY=on turns on metrics (status listener on 127.0.0.1:TOLLGATE_STATUS_PORT,
// default 9180: curl it for /metrics) and tracing (traceparent per request; spans exported when
// TOLLGATE_OTLP_ENDPOINT is set); "off" (the default) turns tracing off too, so both runs compare.
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

function required (name) {
  const value = process.env[name]
  if (!value) throw new Error(`${name} is not set (run.sh sets it)`)
  return value
}

const port = Number(required('BENCH_LISTEN_PORT'))
const upstream = new URL(required('BENCH_UPSTREAM_URL'))
const windowSeconds = Number(process.env.BENCH_RATE_WINDOW_S ?? 60)
const accessLog = process.env.BENCH_ACCESS_LOG || join(tmpdir(), `tollgate-bench-access-${process.pid}.log`)
const workers = Number(process.env.BENCH_WORKERS ?? 1)
const observability = process.env.TOLLGATE_OBSERVABILITY ?? 'off'
if (observability !== 'on' && observability !== 'off') throw new Error('TOLLGATE_OBSERVABILITY must be "on" or "off"')
const otlpEndpoint = process.env.TOLLGATE_OTLP_ENDPOINT
const observabilitySettings = observability === 'on'
  ? {
      status: { host: '127.0.0.1', port: Number(process.env.TOLLGATE_STATUS_PORT ?? 9180) },
      metrics: { enabled: true },
      tracing: { enabled: true, ...(otlpEndpoint ? { otlp: { endpoint: otlpEndpoint } } : {}) }
    }
  : { metrics: { enabled: false }, tracing: { enabled: false } }

// Same format as the harness: "apikey consumer-id limit", '#' starts a comment.
const consumers = readFileSync(required('BENCH_CONSUMERS_FILE'), 'utf8').split('\n')
  .map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '')
  .map((line) => { const [key, id, limit] = line.split(/\s+/); return { key, id, limit: Number(limit) } })

// BENCH_TGRPC=1: /api/* becomes an HTTP → TG-RPC conversion to a bundled backend that answers
// with the upstream's bytes. The backend runs on the load CPU (BENCH_LOAD_CPU, default 0) so the
// gateway's core does only the gateway's work, as with the HTTP upstream.
const tgrpc = process.env.BENCH_TGRPC === '1'
const tgrpcPort = Number(process.env.BENCH_TGRPC_PORT ?? 19100)

const config = {
  gateway: {
    workers,
    listeners: [{ name: 'bench', host: '127.0.0.1', port }],
    log: { level: 'warn' },
    ...observabilitySettings
  },
  services: tgrpc
    ? [{ id: 'bench-upstream', protocol: 'tgrpc', targets: [{ host: '127.0.0.1', port: tgrpcPort }] }]
    : [{ id: 'bench-upstream', targets: [{ host: upstream.hostname, port: Number(upstream.port) }] }],
  routes: [{ id: 'api', service: 'bench-upstream', paths: ['/api/*'], ...(tgrpc ? { tgrpc: { service: 'bench', method: 'echo', forward_query: false } } : {}) }],
  merchants: consumers.map((c) => ({ id: c.id, credentials: { api_keys: [{ key: c.key }] } })),
  plugins: [
    { name: 'key-auth', route: 'api', config: { key_in_query: false } },
    { name: 'access-log', config: { path: accessLog } },
    // One counter per consumer with its own limit, as the harness's consumers file says.
    ...consumers.map((c) => ({
      name: 'rate-limit', route: 'api', merchant: c.id,
      config: { limit: c.limit, window_seconds: windowSeconds, window: 'fixed', key_by: ['merchant'], headers: false }
    }))
  ]
}

const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
const file = join(dir, 'tollgate-bench.json.yaml')
writeFileSync(file, JSON.stringify(config, null, 2)) // JSON is YAML
const main = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'src', 'main.js')
// TOLLGATE_NODE_ARGS passes flags to node for the gateway (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof":
// workers inherit them), since NODE_OPTIONS refuses the profiler flags.
const nodeArgs = (process.env.TOLLGATE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
const backend = tgrpc ? await startTgRpcBackend() : undefined
const child = spawn(process.execPath, [...nodeArgs, main, 'start', '-c', file, '--pid-file', join(dir, 'tollgate.pid')], { stdio: 'inherit' })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { child.kill(signal); backend?.kill(signal) })
child.on('exit', (code) => { backend?.kill('SIGTERM'); process.exitCode = code ?? 0 })

/** Starts the TG-RPC bench backend on the load CPU and waits until it listens. */
async function startTgRpcBackend () {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'tgrpc-bench-backend.mjs')
  const args = [process.execPath, script, upstream.href, String(tgrpcPort)]
  const pinned = spawnSync('taskset', ['--version']).status === 0
  const backendChild = pinned
    ? spawn('taskset', ['-c', process.env.BENCH_LOAD_CPU ?? '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    backendChild.stdout.on('data', (chunk) => { process.stdout.write(chunk); if (String(chunk).includes('ready')) resolve() })
    backendChild.on('exit', (code) => reject(new Error(`tgrpc bench backend exited (${code})`)))
  })
  return backendChild
}
