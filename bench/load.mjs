// A small closed-loop HTTP load generator (keep-alive, N connections each sending its next
// request when the previous answer arrived). For measurements on machines without wrk.
//   node bench/load.mjs URL [seconds=10] [connections=32] [header:value ...]
// Prints requests/s, status counts and latency percentiles as JSON. Being Node itself, it needs a
// core of its own to saturate a gateway: quote its figures as relative (with/without), not absolute.
import http from 'node:http'
import { performance } from 'node:perf_hooks'

/**
 * Sends requests to `url` for `seconds` over `connections` keep-alive connections.
 * @returns {{ requests: number, errors: number, rps: number, statuses: Record<string, number>, p50Ms: number, p99Ms: number }}
 */
export async function runLoad ({ url, seconds, connections, headers = {} }) {
  const target = new URL(url)
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections })
  const latencies = []
  const statuses = {}
  let errors = 0
  const started = performance.now()
  const deadline = started + seconds * 1000
  const once = () => new Promise((resolve) => {
    const sent = performance.now()
    const req = http.request({ host: target.hostname, port: target.port, path: target.pathname + target.search, headers, agent }, (res) => {
      res.on('data', () => {})
      res.on('end', () => {
        latencies.push(performance.now() - sent)
        statuses[res.statusCode] = (statuses[res.statusCode] ?? 0) + 1
        resolve()
      })
    })
    req.on('error', () => { errors++; resolve() })
    req.end()
  })
  const loop = async () => { while (performance.now() < deadline) await once() }
  await Promise.all(Array.from({ length: connections }, loop))
  const elapsed = (performance.now() - started) / 1000
  agent.destroy()
  latencies.sort((a, b) => a - b)
  const at = (q) => latencies.length === 0 ? 0 : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100) / 100
  return { requests: latencies.length, errors, rps: Math.round(latencies.length / elapsed), statuses, p50Ms: at(0.5), p99Ms: at(0.99) }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [url, seconds = '10', connections = '32', ...headerArgs] = process.argv.slice(2)
  if (!url) {
    console.error('usage: node bench/load.mjs URL [seconds=10] [connections=32] [header:value ...]')
    process.exit(1)
  }
  const headers = Object.fromEntries(headerArgs.map((h) => [h.slice(0, h.indexOf(':')), h.slice(h.indexOf(':') + 1)]))
  console.log(JSON.stringify(await runLoad({ url, seconds: Number(seconds), connections: Number(connections), headers })))
}
