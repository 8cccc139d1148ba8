/**
 * A real grpc-js server for the gRPC transcoding tests: tollgate.demo.Orders (test proto in
 * src/conversion/grpc/testing/demo-proto.ts), its messages encoded by protobufjs, so the
 * gateway's own mapping is checked against an independent codec. Records every call. It also
 * serves the standard health service (grpc.health.v1.Health/Check), from its own copy of the
 * protocol's .proto, so the gateway's hand-encoded health check meets an independent codec too.
 */
import { Server, ServerCredentials, Metadata, status, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { compileSchema } from '../../src/conversion/grpc/descriptors/compile-schema.js'
import { DEMO_PROTO } from '../../src/conversion/grpc/testing/demo-proto.js'

export const demoSchema = compileSchema({ kind: 'proto', files: [{ name: 'demo.proto', text: DEMO_PROTO }] })
const root = demoSchema.root

/** A received call: method, the request as protobufjs reads it (64-bit values as strings) and metadata. */
export interface SeenCall {
  readonly method: string
  readonly request: Record<string, unknown>
  readonly metadata: Record<string, unknown>
  cancelled: boolean
}

export interface GrpcBackend {
  readonly port: number
  readonly seen: SeenCall[]
  /** Calls counted per method. */
  count: number
  /** What Health/Check answers, by service name ('' is the whole server, SERVING at start); a name not here is NOT_FOUND. */
  readonly health: Map<string, 'SERVING' | 'NOT_SERVING' | 'UNKNOWN'>
  /** Health/Check calls received. */
  healthChecks: number
  close (): Promise<void>
}

export interface BackendOptions {
  /** Delay before answering, ms (default 0). */
  readonly delayMs?: number
  /** Answer every call with this status instead. */
  readonly failWith?: number
  /** Serve TLS with this certificate (PEM) instead of plain-text HTTP/2; with `clientCa`, require a client certificate it signed. */
  readonly tls?: { readonly cert: string, readonly key: string, readonly clientCa?: string }
}

/** The standard gRPC health protocol (grpc/grpc doc/health-checking.md), written out here for the test backend. */
const HEALTH_PROTO = `syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health { rpc Check(HealthCheckRequest) returns (HealthCheckResponse); }
`
const healthRoot = protobuf.parse(HEALTH_PROTO, { keepCase: true }).root
const HealthCheckRequest = healthRoot.lookupType('grpc.health.v1.HealthCheckRequest')
const HealthCheckResponse = healthRoot.lookupType('grpc.health.v1.HealthCheckResponse')

/** Adds grpc.health.v1.Health/Check to `server`, answering from `backend.health`. */
function addHealthService (server: Server, backend: GrpcBackend): void {
  const check = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    backend.healthChecks++
    const { service } = HealthCheckRequest.toObject(HealthCheckRequest.decode(call.request), { defaults: true }) as { service: string }
    const serving = backend.health.get(service)
    if (serving === undefined) return callback({ code: status.NOT_FOUND, details: `unknown service '${service}'` })
    callback(null, Buffer.from(HealthCheckResponse.encode(HealthCheckResponse.fromObject({ status: serving })).finish()))
  }
  const raw = (b: Buffer): Buffer => b
  server.addService({
    Check: { path: '/grpc.health.v1.Health/Check', requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw }
  } as never, { Check: check })
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

function handler (backend: GrpcBackend, method: string, requestType: protobuf.Type, answer: (request: protobuf.Message) => Promise<Record<string, unknown>>, options: BackendOptions) {
  return (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
    const message = requestType.decode(call.request)
    const seen: SeenCall = {
      method,
      request: requestType.toObject(message, { longs: String, enums: String }) as Record<string, unknown>,
      metadata: call.metadata.getMap(),
      cancelled: false
    }
    backend.seen.push(seen)
    backend.count++
    call.on('cancelled', () => { seen.cancelled = true })
    const headers = new Metadata()
    headers.set('x-backend', 'demo')
    call.sendMetadata(headers)
    const run = async (): Promise<void> => {
      if (options.delayMs !== undefined) await sleep(options.delayMs)
      if (options.failWith !== undefined) return callback({ code: options.failWith, details: 'failing on purpose' })
      const reply = await answer(message)
      const trailers = new Metadata()
      trailers.set('x-trailer', 'done')
      if ('code' in reply) return callback({ code: reply.code as number, details: reply.details as string, metadata: trailers })
      const responseType = reply.type as protobuf.Type
      callback(null, Buffer.from(responseType.encode(responseType.fromObject(reply.value as Record<string, unknown>)).finish()), trailers)
    }
    run().catch((error: unknown) => callback({ code: status.INTERNAL, details: String(error) }))
  }
}

/** Starts the demo backend on a free loopback port. */
export async function startGrpcBackend (options: BackendOptions = {}): Promise<GrpcBackend> {
  const server = new Server()
  const backend: GrpcBackend = { port: 0, seen: [], count: 0, health: new Map([['', 'SERVING']]), healthChecks: 0, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) }
  const service = root.lookupService('tollgate.demo.Orders')
  const Order = root.lookupType('tollgate.demo.Order')
  const answers: Record<string, (request: protobuf.Message) => Promise<Record<string, unknown>>> = {
    GetOrder: async (request) => {
      const r = request as unknown as { order_id: protobuf.Long, shop: string }
      const code = /^code-(\d+)$/.exec(r.shop)
      if (code !== null) return { code: Number(code[1]), details: `status ${code[1]} on purpose` }
      if (r.shop === 'slow') await sleep(5_000)
      return {
        type: Order,
        value: {
          order_id: r.order_id.toString(),
          total_micros: '18446744073709551615',
          status: 2,
          items: [{ sku: 'a-1', quantity: 2, price_cents: '-9007199254740993' }],
          created_at: { seconds: 1714566600, nanos: 5000 },
          ttl: { seconds: 90 },
          limit: { value: '9007199254740993' },
          attributes: { fields: { region: { stringValue: 'eu' }, weight: { numberValue: 1.5 } } },
          card: r.shop
        }
      }
    },
    CreateOrder: async (request) => {
      const r = request as unknown as { shop: string, order?: protobuf.Message }
      const order = r.order === undefined ? {} : Order.toObject(r.order)
      return { type: Order, value: { ...order, card: r.shop } }
    },
    GetShelf: async (request) => ({ type: root.lookupType('tollgate.demo.ShelfRequest'), value: root.lookupType('tollgate.demo.ShelfRequest').toObject(request) }),
    Ping: async () => ({ type: root.lookupType('google.protobuf.Empty'), value: {} }),
    Echo: async (request) => ({ type: Order, value: Order.toObject(request) })
  }
  const implementation: UntypedServiceImplementation = {}
  const definition: Record<string, unknown> = {}
  for (const method of service.methodsArray) {
    method.resolve()
    definition[method.name] = {
      path: `/tollgate.demo.Orders/${method.name}`,
      requestStream: false,
      responseStream: false,
      requestSerialize: (b: Buffer) => b,
      requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b,
      responseDeserialize: (b: Buffer) => b
    }
    implementation[method.name] = handler(backend, method.name, method.resolvedRequestType as protobuf.Type, answers[method.name] as (request: protobuf.Message) => Promise<Record<string, unknown>>, options)
  }
  server.addService(definition as never, implementation)
  addHealthService(server, backend)
  const port = await new Promise<number>((resolve, reject) => {
    const credentials = options.tls === undefined
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(options.tls.clientCa === undefined ? null : Buffer.from(options.tls.clientCa), [{ cert_chain: Buffer.from(options.tls.cert), private_key: Buffer.from(options.tls.key) }], options.tls.clientCa !== undefined)
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => error === null ? resolve(bound) : reject(error))
  })
  return Object.assign(backend, { port })
}
