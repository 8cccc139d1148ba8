// Starts Tollgate for ../shared/bench/run.sh: turns the harness's BENCH_* variables and its
// consumers file into a config with the same work as openresty-chain (key-auth, a fixed-window
// counter per consumer, a buffered access log) on /api/*, then runs `tollgate start` on it
// (TOLLGATE_SOURCE=control-plane: through the control-plane config source, see below).
//   TOLLGATE_CMD="node bench/tollgate-bench.mjs" TOLLGATE_PORT=18080 \
//     BENCH_GATEWAYS="openresty-chain node-naive tollgate" ../shared/bench/run.sh
// BENCH_TGRPC=1 measures HTTP → TG-RPC instead of HTTP → HTTP, BENCH_GRPC=1 HTTP → gRPC (see below).
// TOLLGATE_OBSERVABILITY=on turns on metrics (status listener on 127.0.0.1:TOLLGATE_STATUS_PORT,
// default 9180: curl it for /metrics; TOLLGATE_STATUS_TOKEN sets its token, needed for /debug/profile) and tracing (traceparent per request; spans exported when
// TOLLGATE_OTLP_ENDPOINT is set); "off" (the default) turns tracing off too, so both runs compare.
// Variants (Tollgate's own variables; the harness passes the environment through):
//   BENCH_RATE_POLICY=cluster   the rate limit on the cluster policy (tokens leased from Redis at
//                               BENCH_REDIS_HOST:BENCH_REDIS_PORT, default 127.0.0.1:6379, keys
//                               under a per-run prefix that expires with the windows)
//   BENCH_AUTH=signature        merchant-signature (tg-hmac-sha256, secret = BENCH_SIGNING_SECRET
//                               or "bench-secret-<consumer id>", app key = consumer id) instead of
//                               key-auth. The harness's wrk sends a fixed `apikey` header, and every
//                               signed request needs its own nonce, timestamp and HMAC: run.sh as it
//                               is cannot load this variant (its pre-checks expect 200 for the apikey).
//   BENCH_IDLE_PLUGINS=1        plugins that are configured but do not apply to the measured requests:
//                               idempotency on /api/* (the requests are GETs), a request-transformer
//                               for every other consumer on /api/*, and 50 more routes each with jwt,
//                               cors, ip-restriction and request-transformer. (cors on /api/* would
//                               apply: it adds `Vary: Origin` to every answer, as caches need.)
//                               Compare with a run without it: they should cost nothing measurable.
//   BENCH_TARGETS=N             the service gets N targets (1..12, default 1) that all reach the
//                               bench upstream, which listens on one IPv4 address only: each target
//                               spells that address differently (127.0.0.1, 127.0.1, 127.1,
//                               2130706433, 0x7f000001, ...), which the config takes as distinct
//                               targets (own id, own balancer state) and net.connect resolves
//                               numerically. /status/upstreams (TOLLGATE_OBSERVABILITY=on) shows
//                               each target's requests, to check that the load really spreads.
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
// The harness always asks for one worker; TOLLGATE_WORKERS overrides it for the scaling run
// (two workers unpinned: BENCH_PIN=0 TOLLGATE_WORKERS=2).
const workers = Number(process.env.TOLLGATE_WORKERS ?? process.env.BENCH_WORKERS ?? 1)
// TOLLGATE_INGRESS=node|fast-h1 picks the listener's ingress (default: the gateway's default).
const ingress = process.env.TOLLGATE_INGRESS
const observability = process.env.TOLLGATE_OBSERVABILITY ?? 'off'
if (observability !== 'on' && observability !== 'off') throw new Error('TOLLGATE_OBSERVABILITY must be "on" or "off"')
const otlpEndpoint = process.env.TOLLGATE_OTLP_ENDPOINT
const observabilitySettings = observability === 'on'
  ? {
      status: { host: '127.0.0.1', port: Number(process.env.TOLLGATE_STATUS_PORT ?? 9180), ...(process.env.TOLLGATE_STATUS_TOKEN ? { token: process.env.TOLLGATE_STATUS_TOKEN } : {}) },
      metrics: { enabled: true },
      tracing: { enabled: true, ...(otlpEndpoint ? { otlp: { endpoint: otlpEndpoint } } : {}) }
    }
  : { metrics: { enabled: false }, tracing: { enabled: false } }
const ratePolicy = process.env.BENCH_RATE_POLICY ?? 'local'
const auth = process.env.BENCH_AUTH ?? 'key'
if (!['local', 'cluster'].includes(ratePolicy)) throw new Error(`BENCH_RATE_POLICY must be local or cluster, got ${ratePolicy}`)
if (!['key', 'signature'].includes(auth)) throw new Error(`BENCH_AUTH must be key or signature, got ${auth}`)
const redis = ratePolicy === 'cluster'
  ? { host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379), key_prefix: `tg-bench-${process.pid}:` }
  : undefined
const targetCount = Number(process.env.BENCH_TARGETS ?? 1)
const signingSecret = (id) => process.env.BENCH_SIGNING_SECRET ?? `bench-secret-${id}`

// Same format as the harness: "apikey consumer-id limit", '#' starts a comment.
const consumers = readFileSync(required('BENCH_CONSUMERS_FILE'), 'utf8').split('\n')
  .map((line) => line.replace(/#.*$/, '').trim()).filter((line) => line !== '')
  .map((line) => { const [key, id, limit] = line.split(/\s+/); return { key, id, limit: Number(limit) } })

// BENCH_TGRPC=1: /api/* becomes an HTTP → TG-RPC conversion to a bundled backend that answers
// with the upstream's bytes. The backend runs on the load CPU (BENCH_LOAD_CPU, default 0) so the
// gateway's core does only the gateway's work, as with the HTTP upstream.
const tgrpc = process.env.BENCH_TGRPC === '1'
const tgrpcPort = Number(process.env.BENCH_TGRPC_PORT ?? 19100)
// BENCH_GRPC=1: /api/* becomes an HTTP → gRPC transcoding (bench/grpc-bench.proto) to a bundled
// grpc-js backend on the load CPU that answers with the upstream's exact bytes in a google.api.HttpBody.
const grpc = process.env.BENCH_GRPC === '1'
const grpcPort = Number(process.env.BENCH_GRPC_PORT ?? 19200)
if (tgrpc && grpc) throw new Error('BENCH_TGRPC and BENCH_GRPC are exclusive')
const benchDir = dirname(fileURLToPath(import.meta.url))

function benchServices () {
  if (tgrpc) return [{ id: 'bench-upstream', protocol: 'tgrpc', targets: [{ host: '127.0.0.1', port: tgrpcPort }] }]
  if (grpc) return [{ id: 'bench-upstream', protocol: 'grpc', grpc: { proto_files: [join(benchDir, 'grpc-bench.proto')] }, targets: [{ host: '127.0.0.1', port: grpcPort }] }]
  return [{ id: 'bench-upstream', targets: benchTargets(upstream.hostname, Number(upstream.port), targetCount) }]
}

function benchCall () {
  if (tgrpc) return { tgrpc: { service: 'bench', method: 'echo', forward_query: false } }
  if (grpc) return { grpc: { service: 'bench.Bench', method: 'Echo', body: '' } }
  return {}
}

const idlePlugins = process.env.BENCH_IDLE_PLUGINS === '1'
const IDLE_ROUTES = 50
const idleRoutes = idlePlugins
  ? Array.from({ length: IDLE_ROUTES }, (_, i) => ({ id: `idle-${i}`, service: 'bench-upstream', paths: [`/idle-${i}/*`] }))
  : []
const idleBindings = idlePlugins
  ? [
      { name: 'idempotency', route: 'api', config: {} },
      ...consumers.slice(1).map((c) => ({ name: 'request-transformer', route: 'api', merchant: c.id, config: { headers: { set: [{ name: 'x-consumer', value: c.id }] } } })),
      ...idleRoutes.flatMap((r) => [
        { name: 'jwt', route: r.id, config: {} },
        { name: 'cors', route: r.id, config: { origins: ['https://shop.example'] } },
        { name: 'ip-restriction', route: r.id, config: { deny: ['10.0.0.0/8'] } },
        { name: 'request-transformer', route: r.id, config: { headers: { remove: ['x-debug'] } } }
      ])
    ]
  : []

const config = {
  gateway: {
    workers,
    listeners: [{ name: 'bench', host: '127.0.0.1', port, ...(ingress ? { ingress } : {}) }],
    log: { level: 'warn' },
    ...observabilitySettings,
    ...(redis === undefined ? {} : { redis })
  },
  services: benchServices(),
  routes: [{ id: 'api', service: 'bench-upstream', paths: ['/api/*'], ...benchCall() }, ...idleRoutes],
  merchants: consumers.map((c) => ({
    id: c.id,
    credentials: auth === 'key' ? { api_keys: [{ key: c.key }] } : { secrets: [{ id: 'bench', secret: signingSecret(c.id) }] }
  })),
  plugins: [
    auth === 'key'
      ? { name: 'key-auth', route: 'api', config: { key_in_query: false } }
      : { name: 'merchant-signature', route: 'api' },
    { name: 'access-log', config: { path: accessLog } },
    // One counter per consumer with its own limit, as the harness's consumers file says.
    ...consumers.map((c) => ({
      name: 'rate-limit', route: 'api', merchant: c.id,
      config: { limit: c.limit, window_seconds: windowSeconds, window: 'fixed', key_by: ['merchant'], policy: ratePolicy, headers: false }
    })),
    ...idleBindings
  ]
}

/**
 * `count` targets reaching `host:port`: one is the address as given; more need an IPv4 address,
 * written in the other forms inet_aton accepts (fewer parts, one 32-bit number, hex, octal).
 */
function benchTargets (host, port, count) {
  if (!Number.isInteger(count) || count < 1) throw new Error(`BENCH_TARGETS must be a positive integer, got ${process.env.BENCH_TARGETS}`)
  if (count === 1) return [{ host, port }]
  const spellings = ipv4Spellings(host)
  if (count > spellings.length) throw new Error(`BENCH_TARGETS=${count}: ${host} has only ${spellings.length} spellings`)
  return spellings.slice(0, count).map((spelling) => ({ host: spelling, port }))
}

function ipv4Spellings (address) {
  const parts = address.split('.').map(Number)
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) {
    throw new Error(`BENCH_TARGETS > 1 needs the upstream at an IPv4 address, got ${address}`)
  }
  const [a, b, c, d] = parts
  const whole = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d
  const hex = (n) => `0x${n.toString(16)}`
  const octal = (n) => `0${n.toString(8)}`
  return [...new Set([
    `${a}.${b}.${c}.${d}`,
    `${a}.${b}.${(c << 8) + d}`,
    `${a}.${(b << 16) + (c << 8) + d}`,
    String(whole),
    hex(whole),
    octal(whole),
    parts.map(hex).join('.'),
    parts.map(octal).join('.'),
    `${a}.${b}.${hex((c << 8) + d)}`,
    `${a}.${hex((b << 16) + (c << 8) + d)}`,
    `0x${whole.toString(16).padStart(10, '0')}`,
    hex(whole).toUpperCase()
  ])]
}

// TOLLGATE_SOURCE=control-plane: the same entities served through the cache levels instead of the
// file. A real control plane (`tollgate control-plane`, dist/test/support/control-plane-process.js)
// is started on a throwaway database `tg_test_<random>` of the MySQL/MariaDB named by
// TOLLGATE_TEST_MYSQL_HOST/_PORT/_USER/_PASSWORD (default root, no password, 127.0.0.1:3306) and on
// Redis BENCH_REDIS_HOST/PORT (default 127.0.0.1:6379) under a random key prefix; the config is
// loaded with `tollgate config import`, the gateway starts on a bootstrap pointing at it, and on
// exit the control plane is stopped, the database dropped and the keys deleted. With warm caches
// every request is an L1 hit, so throughput should match the file source.
const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const main = join(root, 'dist', 'src', 'main.js')
const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-'))
let cleanup = async () => {}
let startConfig = config
if (process.env.TOLLGATE_SOURCE === 'control-plane') {
  const { ControlPlaneProcess } = await import(join(root, 'dist', 'test', 'support', 'control-plane-process.js'))
  const redis = { host: process.env.BENCH_REDIS_HOST ?? '127.0.0.1', port: Number(process.env.BENCH_REDIS_PORT ?? 6379) }
  const cp = await ControlPlaneProcess.create({ redis })
  cleanup = async () => {
    await cp.cleanup()
    const { Redis } = await import('ioredis')
    const client = new Redis(redis)
    const keys = await client.keys(`${cp.keyPrefix}*`)
    if (keys.length > 0) await client.del(...keys)
    client.disconnect()
  }
  try {
    await cp.start()
    const routeTable = join(dir, 'route-table.json.yaml')
    writeFileSync(routeTable, JSON.stringify(config, null, 2)) // the node's own settings in it are overridden by its bootstrap
    const imported = spawnSync(process.execPath, [main, 'config', 'import', '-c', cp.settingsFile, routeTable], { encoding: 'utf8' })
    if (imported.status !== 0) throw new Error(`tollgate config import failed: ${imported.stderr}`)
  } catch (error) {
    await cleanup()
    throw error
  }
  startConfig = {
    gateway: { ...config.gateway, redis: { ...redis, key_prefix: cp.keyPrefix } },
    config_source: { kind: 'control-plane', node_id: `bench-${process.pid}`, rpc: { host: '127.0.0.1', port: cp.rpcPort } }
  }
}

const file = join(dir, 'tollgate-bench.json.yaml')
writeFileSync(file, JSON.stringify(startConfig, null, 2)) // JSON is YAML
// TOLLGATE_NODE_ARGS passes flags to node for the gateway (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof":
// workers inherit them), since NODE_OPTIONS refuses the profiler flags.
const nodeArgs = (process.env.TOLLGATE_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
const backend = tgrpc
  ? await startBackend('tgrpc-bench-backend.mjs', tgrpcPort)
  : grpc ? await startBackend('grpc-bench-backend.mjs', grpcPort) : undefined
const child = spawn(process.execPath, [...nodeArgs, main, 'start', '-c', file, '--pid-file', join(dir, 'tollgate.pid')], { stdio: 'inherit' })
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { child.kill(signal); backend?.kill(signal) })
child.on('exit', (code) => {
  backend?.kill('SIGTERM')
  process.exitCode = code ?? 0
  cleanup().finally(() => process.exit())
})

/** Starts a bench backend (TG-RPC or gRPC) on the load CPU and waits until it listens. */
async function startBackend (scriptName, backendPort) {
  const script = join(benchDir, scriptName)
  // BENCH_BACKEND_NODE_ARGS passes flags to node for the backend (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const backendNodeArgs = (process.env.BENCH_BACKEND_NODE_ARGS ?? '').split(' ').filter((a) => a !== '')
  const args = [process.execPath, ...backendNodeArgs, script, upstream.href, String(backendPort)]
  const pinned = spawnSync('taskset', ['--version']).status === 0
  const backendChild = pinned
    ? spawn('taskset', ['-c', process.env.BENCH_LOAD_CPU ?? '0', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
    : spawn(args[0], args.slice(1), { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((resolve, reject) => {
    backendChild.stdout.on('data', (chunk) => { process.stdout.write(chunk); if (String(chunk).includes('ready')) resolve() })
    backendChild.on('exit', (code) => reject(new Error(`${scriptName} exited (${code})`)))
  })
  return backendChild
}
