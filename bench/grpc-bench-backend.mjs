// The gRPC backend of the HTTP → gRPC bench (BENCH_GRPC=1 in tollgate-bench.mjs): fetches the bench
// upstream's answer once, wraps its exact bytes and Content-Type in a google.api.HttpBody
// (bench/grpc-bench.proto) and answers every Echo call with it. The gateway sends an HttpBody's
// bytes as they are, so the harness's byte-for-byte body check holds whatever the body's spelling.
// Usage: node bench/grpc-bench-backend.mjs <upstream url> <port>
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { compileSchema } from '../dist/src/conversion/grpc/descriptors/compile-schema.js'

const [upstreamUrl, portText] = process.argv.slice(2)
const response = await globalThis.fetch(new URL('/api/echo', upstreamUrl))
const body = Buffer.from(await response.arrayBuffer())
const contentType = response.headers.get('content-type') ?? ''
const proto = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'grpc-bench.proto'), 'utf8')
const schema = compileSchema({ kind: 'proto', files: [{ name: 'grpc-bench.proto', text: proto }] })
const HttpBody = schema.root.lookupType('google.api.HttpBody')
const answer = Buffer.from(HttpBody.encode(HttpBody.fromObject({ content_type: contentType, data: body })).finish())
const server = new Server()
const raw = (bytes) => bytes
server.addService({
  Echo: { path: '/bench.Bench/Echo', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw }
}, { Echo: (_call, callback) => callback(null, answer) })
await new Promise((resolve, reject) => server.bindAsync(`127.0.0.1:${portText}`, ServerCredentials.createInsecure(), (error) => error === null ? resolve() : reject(error)))
console.log(`grpc bench backend ready on ${portText} (${answer.length} protobuf bytes per answer: ${body.length} body bytes, ${contentType || 'no content type'})`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { server.tryShutdown(() => process.exit(0)) })
