// A closed-loop HTTP/1.1 load generator on raw sockets that can sign every request with
// merchant-signature (a fresh nonce and timestamp each time), which wrk with a fixed header cannot.
//   node bench/signed-load.mjs --url http://127.0.0.1:PORT/api/echo --seconds 10 --connections 64 \
//     [--apikey KEY | --sign APPKEY:SECRET]
// Prints one JSON line: requests, rps, statuses, p50/p99 ms. Responses must carry Content-Length
// (Tollgate's do for this route); anything else counts as an error and closes the connection.
import net from 'node:net'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { signRequest } from '../dist/src/plugins/merchant-signature/sign.js'

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '64' },
    apikey: { type: 'string' },
    sign: { type: 'string' }
  }
})
if (values.url === undefined) throw new Error('--url is required')
const url = new URL(values.url)
const path = url.pathname + url.search
const [appKey, secret] = (values.sign ?? '').split(':')

/** The request head: signed afresh each time, or the same bytes with a fixed apikey. */
function requestHead () {
  let auth = ''
  if (values.sign !== undefined) {
    const signed = signRequest({ appKey, secret, method: 'GET', path: url.pathname, query: url.search.slice(1) })
    for (const [name, value] of Object.entries(signed)) auth += `${name}: ${value}\r\n`
  } else if (values.apikey !== undefined) {
    auth = `apikey: ${values.apikey}\r\n`
  }
  return `GET ${path} HTTP/1.1\r\nHost: ${url.host}\r\n${auth}\r\n`
}

const HEAD_END = Buffer.from('\r\n\r\n')
const statuses = {}
const latencies = []
let errors = 0
const deadline = performance.now() + Number(values.seconds) * 1000

/** One keep-alive connection sending its next request when the previous answer is complete. */
function connection () {
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port), noDelay: true })
    let pending = Buffer.alloc(0)
    let sentAt = 0
    const send = () => {
      if (performance.now() >= deadline) { socket.end(); return }
      sentAt = performance.now()
      socket.write(requestHead())
    }
    socket.on('connect', send)
    socket.on('data', (chunk) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
      const headEnd = pending.indexOf(HEAD_END)
      if (headEnd < 0) return
      const head = pending.subarray(0, headEnd).toString('latin1')
      const length = /\r\ncontent-length: *(\d+)/i.exec(head)
      if (length === null) { errors++; socket.destroy(); return }
      const total = headEnd + 4 + Number(length[1])
      if (pending.length < total) return
      const status = head.slice(9, 12)
      statuses[status] = (statuses[status] ?? 0) + 1
      latencies.push(performance.now() - sentAt)
      pending = pending.subarray(total)
      send()
    })
    socket.on('error', () => { errors++ })
    socket.on('close', resolve)
  })
}

const started = performance.now()
await Promise.all(Array.from({ length: Number(values.connections) }, connection))
const elapsed = (performance.now() - started) / 1000
latencies.sort((a, b) => a - b)
const at = (q) => latencies.length === 0 ? 0 : Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 100) / 100
console.log(JSON.stringify({ requests: latencies.length, errors, rps: Math.round(latencies.length / elapsed), statuses, p50Ms: at(0.5), p99Ms: at(0.99) }))
