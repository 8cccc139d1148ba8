// Active health checks of tgrpc and grpc services through a real gateway (primary + 2 workers):
// the primary's health calls take a target whose backend says it is not serving out of every
// worker, and bring it back when it serves again, as for HTTP services.
import assert from 'node:assert/strict'
import { after, before, test } from 'node:test'
import { DEMO_PROTO } from '../../src/conversion/grpc/testing/demo-proto.js'
import { TgRpcServer } from '../../src/tgrpc/index.js'
import { gatewayConfig } from '../support/configs.js'
import { freePort } from '../support/free-port.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { startGrpcBackend, type GrpcBackend } from '../support/grpc-backend.js'
import { request } from '../support/http-client.js'

const checks = { interval_ms: 100, timeout_ms: 500, healthy_threshold: 2, unhealthy_threshold: 2 }

/** A TG-RPC backend that answers `orders/get` with its name. */
async function tgRpcBackend (name: string): Promise<{ server: TgRpcServer, port: number }> {
  const server = new TgRpcServer()
  server.handle('orders', 'get', () => ({ body: JSON.stringify({ from: name }) }))
  return { server, port: await server.listen(0) }
}

let tgA: Awaited<ReturnType<typeof tgRpcBackend>>
let tgB: Awaited<ReturnType<typeof tgRpcBackend>>
let grpcA: GrpcBackend
let grpcB: GrpcBackend
let gateway: GatewayProcess
let port: number

before(async () => {
  tgA = await tgRpcBackend('a')
  tgB = await tgRpcBackend('b')
  grpcA = await startGrpcBackend()
  grpcB = await startGrpcBackend()
  port = await freePort()
  const common = { balancer: 'round-robin', slow_start_ms: 0, health_checks: { active: checks } }
  gateway = new GatewayProcess(gatewayConfig({
    port,
    upstreamPort: 0,
    services: [
      { id: 'tg', protocol: 'tgrpc', targets: [{ host: '127.0.0.1', port: tgA.port }, { host: '127.0.0.1', port: tgB.port }], ...common },
      { id: 'gr', protocol: 'grpc', grpc: { proto: DEMO_PROTO }, targets: [{ host: '127.0.0.1', port: grpcA.port }, { host: '127.0.0.1', port: grpcB.port }], ...common }
    ],
    routes: [
      { id: 'tg', service: 'tg', paths: ['/tg'], tgrpc: { service: 'orders', method: 'get' } },
      { id: 'gr', service: 'gr', paths: ['/v1/*'] }
    ]
  }))
  await gateway.start(2, 60_000)
})

after(async () => {
  await gateway.stop()
  await tgA.server.close(100)
  await tgB.server.close(100)
  await grpcA.close()
  await grpcB.close()
})

/** Sends `count` requests to `path` one after another and returns their answers' statuses and bodies. */
async function send (path: string, count: number): Promise<string[]> {
  const answers: string[] = []
  for (let i = 0; i < count; i++) {
    const res = await request(port, { path })
    answers.push(`${res.status} ${res.body.toString()}`)
  }
  return answers
}

/** Waits for the primary's verdict on the second target of `service`, then lets the broadcast reach the workers. */
async function verdict (service: string, down: boolean): Promise<void> {
  const message = down ? 'upstream target down (active checks)' : 'upstream target healthy again (active checks)'
  await gateway.waitForLog((line) => line.msg === message && line.service === service, 10_000)
  await new Promise((resolve) => setTimeout(resolve, 200))
}

void test('tgrpc: a backend that says it is not serving is taken out of every worker, and comes back when it serves again', async () => {
  assert.ok((await send('/tg', 20)).includes('200 {"from":"b"}'))
  tgB.server.setServing(false)
  await verdict('tg', true)
  assert.deepEqual(new Set(await send('/tg', 20)), new Set(['200 {"from":"a"}']))
  tgB.server.setServing(true)
  await verdict('tg', false)
  assert.ok((await send('/tg', 20)).includes('200 {"from":"b"}'))
})

void test('grpc: a backend answering NOT_SERVING is taken out of every worker, and comes back on SERVING', async () => {
  await send('/v1/shops/s/orders/1', 20)
  assert.ok(grpcB.count > 0)
  grpcB.health.set('', 'NOT_SERVING')
  await verdict('gr', true)
  const before = grpcB.count
  assert.deepEqual(new Set((await send('/v1/shops/s/orders/1', 20)).map((answer) => answer.slice(0, 3))), new Set(['200']))
  assert.equal(grpcB.count, before, 'no call reached the target found down')
  grpcB.health.set('', 'SERVING')
  await verdict('gr', false)
  await send('/v1/shops/s/orders/1', 20)
  assert.ok(grpcB.count > before)
})
