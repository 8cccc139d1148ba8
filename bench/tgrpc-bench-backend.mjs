// The TG-RPC backend of the HTTP → TG-RPC bench (BENCH_TGRPC=1 in tollgate-bench.mjs): fetches the
// bench upstream's answer once, then answers every call with those bytes, so the harness's
// byte-for-byte check holds. Usage: node bench/tgrpc-bench-backend.mjs <upstream url> <port>
import { TgRpcServer } from '../dist/src/tgrpc/index.js'

const [upstreamUrl, portText] = process.argv.slice(2)
const response = await globalThis.fetch(new URL('/api/echo', upstreamUrl))
const body = Buffer.from(await response.arrayBuffer())
const contentType = response.headers.get('content-type') ?? 'application/json'
const server = new TgRpcServer({ maxConcurrent: 65_536 })
server.handle('bench', 'echo', () => ({ headers: [['content-type', contentType]], body }))
await server.listen(Number(portText), '127.0.0.1')
console.log(`tgrpc bench backend ready on ${portText} (${body.length} bytes per answer)`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { server.close(500).then(() => process.exit(0)) })
