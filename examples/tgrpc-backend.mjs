// The example TG-RPC backend (docs/tgrpc.md): an "orders" service the gateway calls for
// /rpc/orders/{order_id}. Built on the server library Tollgate ships (`tollgate/tgrpc`).
// Listens on 127.0.0.1:${EXAMPLE_TGRPC_PORT:-9002}.
import { TgRpcServer, jsonHandler, jsonError, TgRpcStatus } from '../dist/src/tgrpc/index.js'

const port = Number(process.env.EXAMPLE_TGRPC_PORT ?? 9002)
const orders = new Map([['1', { id: 9007199254740993n, item: 'tea', url: 'https://example.com/a/b' }]])

const server = new TgRpcServer()
  // Parsed-JSON style: 64-bit ids stay exact (bigint), "/" is not escaped on the way out.
  .handle('orders', 'get', jsonHandler((_request, call) => {
    const order = orders.get(call.headers.get('p-order_id') ?? '')
    return order ?? jsonError(TgRpcStatus.NOT_FOUND, 'no such order')
  }))
  // Raw style: the merchant's bytes as they came.
  .handle('orders', 'echo', (call) => ({ headers: [['content-type', call.headers.get('content-type') ?? 'application/json']], body: call.body }))

await server.listen(port, '127.0.0.1')
console.log(`example TG-RPC backend on 127.0.0.1:${port}`)
const stop = () => { server.close(1000).then(() => process.exit(0), () => process.exit(1)) }
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
