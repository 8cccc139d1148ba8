// Router micro benchmark: normalise + match over a few thousand routes. Run after `npm run build`:
//   node bench/router-bench.mjs [routes=5000] [iterations=2000000]
// Prints ns per operation; figures depend on the machine, so quote them with the command and CPU.
import { compileRouter } from '../dist/src/router/router.js'
import { normaliseRequestTarget } from '../dist/src/router/normalise-path.js'

const routeCount = Number(process.argv[2] ?? 5000)
const iterations = Number(process.argv[3] ?? 2_000_000)

const routes = []
for (let i = 0; i < routeCount; i++) {
  const kind = i % 10
  const hosts = i % 4 === 0 ? [`h${i % 50}.example.com`] : i % 4 === 1 ? ['*.example.com'] : undefined
  const path = kind < 4 ? `/api/v${i % 7}/svc${i}/orders` : kind < 9 ? `/api/v${i % 7}/svc${i}/*` : `~^/rx${i}/[0-9]+$`
  routes.push({ id: `r${i}`, paths: [path], ...(hosts ? { hosts } : {}), ...(i % 3 === 0 ? { methods: ['GET'] } : {}), strip_path: i % 2 === 0 })
}

let start = process.hrtime.bigint()
const router = compileRouter(routes)
console.log(`compile ${routeCount} routes: ${Number(process.hrtime.bigint() - start) / 1e6} ms`)

const cases = [
  ['normalise simple', () => normaliseRequestTarget('/api/v3/svc1234/orders/42?x=1')],
  ['normalise with escapes and dots', () => normaliseRequestTarget('/api/v3/%73vc1234/./orders/../orders/42?x=1')],
  ['match exact host + prefix', () => router.match('GET', 'h4.example.com', '/api/v3/svc1004/items/1')],
  ['match wildcard host + exact', () => router.match('GET', 'a.example.com', '/api/v0/svc1001/orders')],
  ['match wildcard host + regex', () => router.match('GET', 'a.example.com', '/rx1009/12')],
  ['match host-less prefix', () => router.match('POST', 'other.org', '/api/v5/svc1006/items/9')],
  ['match miss (tries every regex)', () => router.match('GET', 'other.org', '/nothing/here')]
]

for (const [name, run] of cases) {
  for (let i = 0; i < iterations / 10; i++) run() // warm-up
  start = process.hrtime.bigint()
  let sink = 0
  for (let i = 0; i < iterations; i++) if (run() !== undefined) sink++
  const ns = Number(process.hrtime.bigint() - start) / iterations
  console.log(`${name.padEnd(36)} ${ns.toFixed(1).padStart(8)} ns/op  (${sink === iterations ? 'all hit' : sink === 0 ? 'all miss' : sink + ' hits'})`)
}
