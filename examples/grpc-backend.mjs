// The example gRPC backend: an ordinary grpc-js server for examples/orders.proto, which the
// gateway calls for GET /grpc/orders/{order_id} and, as a server stream, GET /grpc/orders
// (HTTP/JSON → gRPC, docs/grpc.md).
// Listens on 127.0.0.1:${EXAMPLE_GRPC_PORT:-9003}.
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Server, ServerCredentials, loadPackageDefinition, status } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'

const port = Number(process.env.EXAMPLE_GRPC_PORT ?? 9003)
const definition = loadSync(join(dirname(fileURLToPath(import.meta.url)), 'orders.proto'), { keepCase: true, longs: String, enums: String })
const { Orders } = loadPackageDefinition(definition).example.orders.v1
// 64-bit ids travel as decimal strings here, so 9007199254740993 (2^53 + 1) stays exact.
const orders = new Map([
  ['9007199254740993', { item: 'tea', quantity: 2, status: 'STATUS_SHIPPED', created_at: { seconds: 1714566600, nanos: 0 } }],
  ['9007199254740994', { item: 'cups', quantity: 6, status: 'STATUS_OPEN', created_at: { seconds: 1714570200, nanos: 0 } }],
  ['9007199254740995', { item: 'kettle', quantity: 1, status: 'STATUS_SHIPPED', created_at: { seconds: 1714573800, nanos: 0 } }]
])
// ListOrders pauses between orders, so a client watching the stream sees each line arrive.
const STREAM_PAUSE_MS = 300

const server = new Server()
server.addService(Orders.service, {
  GetOrder: (call, callback) => {
    const order = orders.get(call.request.order_id)
    if (order === undefined) return callback({ code: status.NOT_FOUND, details: `no order ${call.request.order_id}` })
    callback(null, { order_id: call.request.order_id, ...order })
  },
  ListOrders: async (call) => {
    const wanted = call.request.status === 'STATUS_UNSPECIFIED' ? undefined : call.request.status
    for (const [orderId, order] of orders) {
      if (call.cancelled) return
      if (wanted !== undefined && order.status !== wanted) continue
      call.write({ order_id: orderId, ...order })
      await new Promise((resolve) => setTimeout(resolve, STREAM_PAUSE_MS))
    }
    call.end()
  }
})
server.bindAsync(`127.0.0.1:${port}`, ServerCredentials.createInsecure(), (error) => {
  if (error !== null) throw error
  console.log(`example gRPC backend on 127.0.0.1:${port}`)
})
const stop = () => { server.tryShutdown(() => process.exit(0)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
