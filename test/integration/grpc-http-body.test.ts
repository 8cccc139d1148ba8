// google.api.HttpBody through a real gateway (primary and a worker, both ingresses) to a real
// grpc-js backend: raw request bodies reach the backend in `data`, raw answers come back byte for byte.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Server, ServerCredentials, type ServerUnaryCall, type sendUnaryData, type UntypedServiceImplementation } from '@grpc/grpc-js'
import type protobuf from 'protobufjs'
import { compileSchema } from '../../src/conversion/grpc/descriptors/compile-schema.js'
import { HTTP_BODY_PROTO } from '../../src/conversion/grpc/testing/http-body-proto.js'
import { GatewayProcess } from '../support/gateway-process.js'
import { freePort } from '../support/free-port.js'
import { request } from '../support/http-client.js'

// protobufjs reads the backend's side, so the gateway's encoding is checked by an independent codec.
const root = compileSchema({ kind: 'proto', files: [{ name: 'files.proto', text: HTTP_BODY_PROTO }] }).root
const HttpBody = root.lookupType('google.api.HttpBody')
const types: Record<string, [protobuf.Type, protobuf.Type]> = {
  Put: [HttpBody, HttpBody],
  Upload: [root.lookupType('tollgate.files.UploadRequest'), root.lookupType('tollgate.files.Stored')],
  Fetch: [root.lookupType('tollgate.files.FetchRequest'), HttpBody],
  Describe: [root.lookupType('tollgate.files.FetchRequest'), root.lookupType('tollgate.files.Stored')]
}

type RawFile = Record<string, unknown>
interface Received { method: string, request: Record<string, unknown> }

/** Files kept by name: Put echoes its body, Upload stores one, Fetch and Describe give it back. */
async function startFilesBackend (): Promise<{ port: number, received: Received[], close: () => Promise<void> }> {
  const received: Received[] = []
  const files = new Map<string, RawFile>()
  const answers: Record<string, (request: Record<string, unknown>) => Record<string, unknown>> = {
    Put: (request) => request,
    Upload: (request) => {
      files.set(request.name as string, request.file as RawFile)
      return { name: request.name, file: request.file }
    },
    Fetch: (request) => files.get(request.name as string) ?? {},
    Describe: (request) => ({ name: request.name, file: files.get(request.name as string) })
  }
  const server = new Server()
  const definition: Record<string, unknown> = {}
  const implementation: UntypedServiceImplementation = {}
  for (const [method, [requestType, responseType]] of Object.entries(types)) {
    const raw = (bytes: Buffer): Buffer => bytes
    definition[method] = { path: `/tollgate.files.Files/${method}`, requestStream: false, responseStream: false, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw }
    implementation[method] = (call: ServerUnaryCall<Buffer, Buffer>, callback: sendUnaryData<Buffer>): void => {
      const request = requestType.toObject(requestType.decode(call.request), { bytes: Buffer }) as Record<string, unknown>
      received.push({ method, request })
      const answer = answers[method] as (request: Record<string, unknown>) => Record<string, unknown>
      callback(null, Buffer.from(responseType.encode(responseType.fromObject(answer(request))).finish()))
    }
  }
  server.addService(definition as never, implementation)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => error === null ? resolve(bound) : reject(error))
  })
  return { port, received, close: () => new Promise((resolve) => server.tryShutdown(() => resolve())) }
}

/** Not JSON, not UTF-8: a PNG signature, a NUL, bytes above 0x7f and a lone '{'. */
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x7b, 0x0a])

describe('google.api.HttpBody through a real gateway', () => {
  let backend: Awaited<ReturnType<typeof startFilesBackend>>
  let gateway: GatewayProcess
  const ports: Record<string, number> = {}
  before(async () => {
    backend = await startFilesBackend()
    ports.node = await freePort()
    ports['fast-h1'] = await freePort()
    gateway = new GatewayProcess({
      gateway: { listeners: Object.entries(ports).map(([ingress, port]) => ({ name: ingress, host: '127.0.0.1', port, ingress })) },
      services: [{ id: 'files', protocol: 'grpc', grpc: { proto: HTTP_BODY_PROTO }, targets: [{ host: '127.0.0.1', port: backend.port }] }],
      routes: [{ id: 'files', service: 'files', paths: ['/v1/*'] }]
    })
    await gateway.start(1)
  })
  after(async () => {
    await gateway?.stop()
    await backend?.close()
  })

  for (const ingress of ['node', 'fast-h1']) {
    it(`${ingress}: a raw request body reaches the backend in data, and the raw answer comes back unchanged`, async () => {
      const res = await request(ports[ingress] as number, { method: 'POST', path: '/v1/raw', body: BINARY, headers: { 'content-type': 'image/png' } })
      assert.equal(res.status, 200, res.body.toString())
      assert.deepEqual(backend.received.at(-1), { method: 'Put', request: { content_type: 'image/png', data: BINARY } })
      assert.equal(res.headers['content-type'], 'image/png')
      assert.equal(res.headers['content-length'], String(BINARY.length))
      assert.deepEqual(res.body, BINARY)
    })

    it(`${ingress}: a body field takes the raw body while path and query fill the other fields`, async () => {
      const csv = Buffer.from(`sku;qty\nä-${ingress};2\n`, 'latin1')
      const put = await request(ports[ingress] as number, { method: 'PUT', path: `/v1/folders/docs/files?name=${ingress}.csv`, body: csv, headers: { 'content-type': 'text/csv; charset=latin1' } })
      assert.equal(put.status, 200, put.body.toString())
      assert.deepEqual(backend.received.at(-1), { method: 'Upload', request: { folder: 'docs', name: `${ingress}.csv`, file: { content_type: 'text/csv; charset=latin1', data: csv } } })
      assert.deepEqual(put.body, csv)
      assert.equal(put.headers['content-type'], 'text/csv; charset=latin1')

      const fetched = await request(ports[ingress] as number, { path: `/v1/files/${ingress}.csv` })
      assert.equal(fetched.status, 200)
      assert.deepEqual(fetched.body, csv)
      assert.equal(fetched.headers['content-type'], 'text/csv; charset=latin1')

      const described = await request(ports[ingress] as number, { path: `/v1/described/${ingress}.csv` })
      assert.equal(described.headers['content-type'], 'application/json')
      assert.deepEqual(JSON.parse(described.body.toString()), { name: `${ingress}.csv`, file: { contentType: 'text/csv; charset=latin1', data: csv.toString('base64') } })
    })
  }
})
