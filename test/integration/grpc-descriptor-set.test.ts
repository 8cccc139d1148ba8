// gRPC definitions given as a FileDescriptorSet written by protoc: the same annotations, names and
// answers as the .proto text.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { scan } from '../../src/codec/json/index.js'
import { InProcessGateway } from '../../src/testing/inject.js'
import { compileSchema } from '../../src/conversion/grpc/descriptors/compile-schema.js'
import { annotatedBindings } from '../../src/conversion/grpc/http-rules/bindings.js'
import { encodeRequest } from '../../src/conversion/grpc/mapping/json-to-proto.js'
import { messageToJson } from '../../src/conversion/grpc/mapping/proto-to-json.js'
import { DEMO_PROTO } from '../../src/conversion/grpc/testing/demo-proto.js'
import { HTTP_BODY_PROTO } from '../../src/conversion/grpc/testing/http-body-proto.js'
import { demoSchema, startGrpcBackend, type GrpcBackend } from '../support/grpc-backend.js'

const API_PROTOS = resolve(import.meta.dirname, '../../../test/support/proto')

function protocMissing (): string | undefined {
  if (spawnSync('protoc', ['--version']).status === 0) return undefined
  const reason = 'protoc is not installed (Debian: apt-get install protobuf-compiler)'
  if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true this suite must run, not be skipped`)
  console.error(`\n!!! SKIPPING: ${reason} !!!\n`)
  return reason
}

const skip = protocMissing()

describe('gRPC definitions from a protoc FileDescriptorSet', { skip }, () => {
  let dir = ''
  let backend: GrpcBackend
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-grpc-descriptors-'))
    writeFileSync(join(dir, 'demo.proto'), DEMO_PROTO)
    writeFileSync(join(dir, 'named.proto'), 'syntax = "proto3";\npackage named;\nmessage Ref { string order_ref = 1 [json_name = "ref"]; int64 big_value = 2; }\n')
    const protoc = spawnSync('protoc', [`-I${dir}`, `-I${API_PROTOS}`, '--include_imports', `--descriptor_set_out=${join(dir, 'demo.pb')}`, 'demo.proto', 'named.proto'], { encoding: 'utf8' })
    assert.equal(protoc.status, 0, protoc.stderr)
    backend = await startGrpcBackend()
  })
  after(async () => {
    await backend?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('reads the same services, HTTP rules and json_name options as the .proto text', () => {
    const fromSet = compileSchema({ kind: 'descriptor-set', base64: readFileSync(join(dir, 'demo.pb')).toString('base64') })
    const describe = (bindings: ReturnType<typeof annotatedBindings>): string[] => bindings.map((b) => `${b.httpMethod ?? ''} ${b.template?.text ?? ''} → ${b.grpcPath} body=${b.body} response_body=${b.responseBody}`)
    assert.deepEqual(describe(annotatedBindings(fromSet, undefined)), describe(annotatedBindings(demoSchema, undefined)))
    assert.equal(describe(annotatedBindings(fromSet, undefined)).length, 5)
    const Ref = fromSet.root.lookupType('named.Ref')
    const bytes = encodeRequest(Ref, scan('{"ref":"A-1","bigValue":"9007199254740993"}').root, undefined)
    assert.equal(messageToJson(Ref, bytes), '{"ref":"A-1","bigValue":"9007199254740993"}')
  })

  it('finds google.api.HttpBody in a descriptor set as in the .proto text', () => {
    writeFileSync(join(dir, 'files.proto'), HTTP_BODY_PROTO)
    const protoc = spawnSync('protoc', [`-I${dir}`, `-I${API_PROTOS}`, '--include_imports', `--descriptor_set_out=${join(dir, 'files.pb')}`, 'files.proto'], { encoding: 'utf8' })
    assert.equal(protoc.status, 0, protoc.stderr)
    const fromSet = compileSchema({ kind: 'descriptor-set', base64: readFileSync(join(dir, 'files.pb')).toString('base64') })
    const fromText = compileSchema({ kind: 'proto', files: [{ name: 'files.proto', text: HTTP_BODY_PROTO }] })
    const kinds = (bindings: ReturnType<typeof annotatedBindings>): string[] => bindings.map((b) => `${b.grpcPath} in=${String(b.rawRequestBody)} out=${String(b.rawResponseBody)}`)
    assert.deepEqual(kinds(annotatedBindings(fromSet, undefined)), kinds(annotatedBindings(fromText, undefined)))
    assert.equal(kinds(annotatedBindings(fromSet, undefined)).filter((k) => k.includes('=true')).length, 3)
  })

  it('answers exactly like a gateway loaded from the .proto text', async () => {
    const service = (grpc: Record<string, unknown>): Record<string, unknown> => ({
      services: [{ id: 'orders', protocol: 'grpc', grpc, targets: [{ host: '127.0.0.1', port: backend.port }] }],
      routes: [{ id: 'api', service: 'orders', paths: ['/v1/*'] }]
    })
    const fromText = new InProcessGateway().load(service({ proto: DEMO_PROTO }))
    const fromSet = new InProcessGateway().load(service({ descriptor_set_file: join(dir, 'demo.pb') }))
    const requests = [
      { url: '/v1/shops/s/orders/9007199254740993123?status=STATUS_PAID' },
      { method: 'POST', url: '/v1/shops/s/orders', body: '{"orderId":"-9223372036854775808","createdAt":"2024-05-01T00:00:00.5Z","attributes":{"a":[1]}}' },
      { url: '/v1/shelves/7' },
      { method: 'POST', url: '/v1/shops/s/orders', body: '{"colour":1}' }
    ]
    for (const one of requests) {
      const [a, b] = [await fromText.inject(one), await fromSet.inject(one)]
      assert.equal(b.status, a.status, one.url)
      const withoutId = (text: string): string => text.replace(/"request_id":"[^"]+"/, '')
      assert.equal(withoutId(b.body.toString()), withoutId(a.body.toString()), one.url)
    }
    await fromText.close()
    await fromSet.close()
  })
})
