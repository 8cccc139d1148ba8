// Benchmark of the gateway's own part of an HTTP/JSON → gRPC call: the proto3 JSON mapping
// (src/conversion/grpc/mapping/) on an order with 64-bit ids, a list, an enum and a Timestamp,
// next to protobufjs doing the nearest thing it can (fromObject + encode; decode + toObject with
// longs as strings, which is not proto3 JSON: no JSON names, no well-known type forms).
//   npm run build && node bench/grpc-mapping.mjs    (about 5 s; BENCH_MS=<ms per case>)
import { performance } from 'node:perf_hooks'
import { compileSchema } from '../dist/src/conversion/grpc/descriptors/compile-schema.js'
import { encodeRequest } from '../dist/src/conversion/grpc/mapping/json-to-proto.js'
import { messageToJson } from '../dist/src/conversion/grpc/mapping/proto-to-json.js'
import { DEMO_PROTO } from '../dist/src/conversion/grpc/testing/demo-proto.js'
import { scan } from '../dist/src/codec/json/index.js'

const MS = Number(process.env.BENCH_MS ?? 1000)
const schema = compileSchema({ kind: 'proto', files: [{ name: 'demo.proto', text: DEMO_PROTO }] })
const Order = schema.root.lookupType('tollgate.demo.Order')
const items = Array.from({ length: 5 }, (_, k) => `{"sku":"sku-${k}","quantity":${k + 1},"priceCents":"${9007199254740993n + BigInt(k)}"}`)
const json = Buffer.from(`{"orderId":"9007199254740993123","totalMicros":"18446744073709551615","status":"STATUS_PAID","items":[${items.join(',')}],"tags":["1","2","3"],"createdAt":"2024-05-01T12:30:00.120Z","note":"gift wrap","card":"4111"}`)
const bytes = encodeRequest(Order, scan(json).root, undefined)
// protobufjs's own JSON shape of the same order (original names, Timestamp and wrappers as plain messages).
const protobufjsJson = JSON.stringify(Order.toObject(Order.decode(bytes), { longs: String, enums: String }))

function measure (name, run) {
  for (let i = 0; i < 2000; i++) run()
  let count = 0
  const start = performance.now()
  while (performance.now() - start < MS) {
    for (let i = 0; i < 1000; i++) run()
    count += 1000
  }
  const opsPerSecond = count / ((performance.now() - start) / 1000)
  console.log(`${name.padEnd(52)} ${Math.round(opsPerSecond).toString().padStart(9)} ops/s ${(1e6 / opsPerSecond).toFixed(2).padStart(7)} µs`)
}

console.log(`order: ${json.length} JSON bytes, ${bytes.length} protobuf bytes`)
measure('JSON → protobuf (scan + encodeRequest)', () => encodeRequest(Order, scan(json).root, undefined))
measure('protobuf → JSON (messageToJson)', () => messageToJson(Order, bytes))
measure('protobufjs: JSON.parse + fromObject + encode', () => Order.encode(Order.fromObject(JSON.parse(protobufjsJson))).finish())
measure('protobufjs: decode + toObject + JSON.stringify', () => JSON.stringify(Order.toObject(Order.decode(bytes), { longs: String, enums: String })))
