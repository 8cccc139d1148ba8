// The gRPC backend of the HTTP → gRPC bench (BENCH_GRPC=1 in tollgate-bench.mjs): fetches the bench
// upstream's JSON once, encodes it as a google.protobuf.Value (bench/grpc-bench.proto) and answers
// every Echo call with those bytes. It checks at start that the gateway's proto3 JSON rendering of
// them is the upstream body byte for byte, so the harness's body check holds.
// Usage: node bench/grpc-bench-backend.mjs <upstream url> <port>
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { compileSchema } from '../dist/src/conversion/grpc/descriptors/compile-schema.js'
import { encodeRequest } from '../dist/src/conversion/grpc/mapping/json-to-proto.js'
import { messageToJson } from '../dist/src/conversion/grpc/mapping/proto-to-json.js'
import { scan } from '../dist/src/codec/json/index.js'

const [upstreamUrl, portText] = process.argv.slice(2)
const response = await globalThis.fetch(new URL('/api/echo', upstreamUrl))
const body = Buffer.from(await response.arrayBuffer())
const proto = readFileSync(join(dirname(fileURLToPath(import.meta.url)), 'grpc-bench.proto'), 'utf8')
const schema = compileSchema({ kind: 'proto', files: [{ name: 'grpc-bench.proto', text: proto }] })
const Value = schema.root.lookupType('google.protobuf.Value')
const answer = Buffer.from(encodeRequest(Value, scan(body).root, undefined))
if (messageToJson(Value, answer) !== body.toString('utf8')) {
  console.error('grpc bench backend: the upstream body is not in canonical proto3 JSON form (spaces, number spelling); the harness body check will fail')
}
const server = new Server()
const raw = (bytes) => bytes
server.addService({
  Echo: { path: '/bench.Bench/Echo', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw }
}, { Echo: (_call, callback) => callback(null, answer) })
await new Promise((resolve, reject) => server.bindAsync(`127.0.0.1:${portText}`, ServerCredentials.createInsecure(), (error) => error === null ? resolve() : reject(error)))
console.log(`grpc bench backend ready on ${portText} (${answer.length} protobuf bytes per answer, ${body.length} JSON bytes)`)
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => { server.tryShutdown(() => process.exit(0)) })
