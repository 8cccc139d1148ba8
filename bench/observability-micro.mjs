// Micro-benchmark of what observability adds per request on the hot path: counting a finished
// request (metrics on) and deciding the trace (tracing on). Run after `npx tsc -p .`:
//   node bench/observability-micro.mjs
// Prints CPU nanoseconds per call (process.cpuUsage, so a busy machine does not inflate it; median
// of 5 runs of 1e6 calls). Not a substitute for the harness.
import { requestMetrics } from '../dist/src/metrics/request-metrics.js'
import { decideTrace, formatTraceparent } from '../dist/src/tracing/trace-context.js'
import { HeaderList } from '../dist/src/kit/headers.js'

const N = 1_000_000
function measure (name, fn) {
  const runs = []
  for (let r = 0; r < 5; r++) {
    const start = process.cpuUsage()
    for (let i = 0; i < N; i++) fn(i)
    const used = process.cpuUsage(start)
    runs.push((used.user + used.system) * 1000 / N)
  }
  runs.sort((a, b) => a - b)
  console.log(`${name}: ${runs[2].toFixed(1)} ns/call`)
}

requestMetrics.configure(true, 0)
const ctx = {
  routeId: 'api',
  serviceId: 'backend',
  request: { bodyLength: 120 },
  response: { status: 200, bytesSent: 512, errorCode: undefined },
  timings: { totalMs: 1.7, upstreamMs: 1.1, gatewayMs: 0.3 },
  merchant: undefined
}
measure('requestMetrics.record', () => requestMetrics.record(ctx))

const raw = ['host', 'x', 'user-agent', 'bench', 'apikey', 'k', 'accept', '*/*']
measure('trace: new trace + header rewrite', () => {
  const headers = HeaderList.fromRaw(raw)
  const trace = decideTrace(headers.get('traceparent'), headers.get('tracestate'), false)
  headers.set('traceparent', formatTraceparent(trace))
})
measure('baseline: HeaderList.fromRaw only', () => { HeaderList.fromRaw(raw) })
const incoming = [...raw, 'traceparent', '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01']
measure('trace: continued trace + header rewrite', () => {
  const headers = HeaderList.fromRaw(incoming)
  const trace = decideTrace(headers.get('traceparent'), headers.get('tracestate'), true)
  headers.set('traceparent', formatTraceparent(trace))
})
