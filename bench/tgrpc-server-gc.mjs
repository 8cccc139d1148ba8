// What a TG-RPC server's garbage collector does under load from calls answered asynchronously:
// bytes promoted per young-generation GC (scavenge), mark-compacts, and GC pauses as a share of
// the run. The server (src/tgrpc/server.ts, a jsonHandler that awaits a timer and passes the call's
// abort signal on, as a handler calling a database would) runs in a child process under
// --trace-gc-nvp; this process keeps `inflight` calls outstanding on one TgRpcConnection.
//   npm run build && node bench/tgrpc-server-gc.mjs [seconds=3] [inflight=256]
// Short on purpose: the figures are about the GC's behaviour, not the rate, and the machine may be
// shared with other measurements, so the rate printed is only context.
import { spawn } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'
import { TgRpcConnection, TgRpcServer, jsonHandler } from '../dist/src/tgrpc/index.js'

const WARMUP_MS = 1000

if (process.argv[2] === 'serve') await serve()
else await drive(Number(process.argv[2] ?? 3), Number(process.argv[3] ?? 256))

/** The child: a server whose handler answers after a timer; prints markers between GC trace lines. */
async function serve () {
  const server = new TgRpcServer({ maxConcurrent: 65_536 })
  server.handle('bench', 'order', jsonHandler(async (order, call) => {
    const lines = await downstream(order.lines, call.signal)
    return { id: order.id, total: lines.reduce((sum, line) => sum + line.qty * line.price, 0), lines: lines.length }
  }))
  console.log(`port ${await server.listen(0)}`)
  let startedAt = 0
  let cpuAtStart
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line === 'mark') {
      startedAt = performance.now()
      cpuAtStart = process.cpuUsage()
      console.log('MARK')
    } else if (line === 'end') {
      const cpu = process.cpuUsage(cpuAtStart)
      console.log(`END wall_ms=${(performance.now() - startedAt).toFixed(0)} cpu_ms=${((cpu.user + cpu.system) / 1000).toFixed(0)}`)
      void server.close(100).then(() => process.exit(0))
    }
  })
}

/** A stand-in for a database call: honours the abort signal while it waits, then gives the rows back. */
function downstream (rows, signal) {
  return new Promise((resolve, reject) => {
    const onAbort = () => { clearTimeout(timer); reject(new Error('aborted')) }
    const timer = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(rows) }, 1)
    signal.addEventListener('abort', onAbort)
  })
}

/** The parent: starts the child, drives load, reads the GC trace of the measured window. */
async function drive (seconds, inflight) {
  const child = spawn(process.execPath, ['--trace-gc-nvp', fileURLToPath(import.meta.url), 'serve'], { stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const gcLines = []
  let measuring = false
  let end
  const port = await new Promise((resolve) => {
    lines.on('line', (line) => {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)))
      else if (line === 'MARK') measuring = true
      else if (line.startsWith('END')) { measuring = false; end = line }
      else if (measuring && line.includes(' gc=')) gcLines.push(line)
    })
  })
  const exited = new Promise((resolve) => child.on('exit', resolve))
  const connection = new TgRpcConnection({ host: '127.0.0.1', port, connectTimeoutMs: 2000, heartbeatMs: 10_000, maxBodyBytes: 16 << 20 })
  const body = orderBody()
  let completed = 0
  let failed = 0
  let running = true
  const send = () => {
    connection.call({ service: 'bench', method: 'order', body, timeoutMs: 5000 }, (error, reply) => {
      if (error !== undefined || reply.status !== 0) failed++
      else completed++
      if (running) send()
    })
  }
  for (let i = 0; i < inflight; i++) send()
  await sleep(WARMUP_MS)
  const completedAtMark = completed
  child.stdin.write('mark\n')
  await sleep(seconds * 1000)
  running = false
  const calls = completed - completedAtMark
  child.stdin.write('end\n')
  await exited
  connection.destroy(undefined)
  report(gcLines, end, calls, failed, seconds, inflight)
}

/** A request of about 1.5 KB: an order with 20 lines. */
function orderBody () {
  const lines = Array.from({ length: 20 }, (_, i) => ({ sku: `sku-${i}-${'x'.repeat(24)}`, qty: i + 1, price: 100 + i, note: 'gift wrap, deliver after 18:00' }))
  return Buffer.from(JSON.stringify({ id: '9007199254740993', merchant: 'm-acme', lines }))
}

function field (line, name) {
  const match = new RegExp(`(?:^|\\s)${name}=([^\\s]+)`).exec(line)
  return match === null ? undefined : match[1]
}

function report (gcLines, end, calls, failed, seconds, inflight) {
  const scavenges = gcLines.filter((line) => field(line, 'gc') === 's')
  const others = gcLines.filter((line) => field(line, 'gc') !== 's')
  const sum = (list, name) => list.reduce((total, line) => total + Number(field(line, name) ?? 0), 0)
  const wallMs = Number(field(end ?? '', 'wall_ms'))
  const cpuMs = Number(field(end ?? '', 'cpu_ms'))
  const pauseMs = sum(gcLines, 'pause')
  const promoted = sum(scavenges, 'promoted')
  console.log(`server GC over ${seconds} s, ${inflight} calls in flight, ${calls} calls (${Math.round(calls / seconds)}/s, context only), ${failed} failed`)
  console.log(`  scavenges: ${scavenges.length}, promoted per scavenge: ${(promoted / Math.max(1, scavenges.length) / 1024).toFixed(1)} KiB, promoted per call: ${(promoted / Math.max(1, calls)).toFixed(0)} B`)
  console.log(`  other GCs (mark-compact, incremental steps): ${others.length} (${others.map((line) => field(line, 'gc')).join(',') || '-'})`)
  console.log(`  GC pauses: ${pauseMs.toFixed(0)} ms = ${(100 * pauseMs / wallMs).toFixed(1)} % of the window, ${(100 * pauseMs / cpuMs).toFixed(1)} % of the server's CPU time (${cpuMs} ms)`)
}

function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
