import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { validateConfig, type ValidationResult } from '../validate.js'
import { fakePluginSchema } from '../testing/fixtures.js'
import { DEMO_PROTO } from '../../conversion/grpc/testing/demo-proto.js'

const ORDERS = 'tollgate.demo.Orders'

function documentWith (grpc: Record<string, unknown>, routes: Array<Record<string, unknown>> = [{ id: 'api', service: 'orders', paths: ['/v1/*'] }], protocol = 'grpc'): Record<string, unknown> {
  return { services: [{ id: 'orders', protocol, grpc, targets: [{ host: '127.0.0.1', port: 9001 }] }], routes }
}

function problemsOf (result: ValidationResult): Array<[string, string]> {
  if (result.ok) assert.fail('expected the config to be refused')
  return result.problems.map((p) => [p.path, p.reason])
}

describe('gRPC services in the config', () => {
  let dir = ''
  const options = (): { file: string, baseDir: string, pluginSchema: typeof fakePluginSchema } => ({ file: 'tollgate.yaml', baseDir: dir, pluginSchema: fakePluginSchema })
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tollgate-grpc-config-'))
    mkdirSync(join(dir, 'protos', 'shop'), { recursive: true })
    writeFileSync(join(dir, 'protos', 'shop', 'money.proto'), 'syntax = "proto3";\npackage shop;\nmessage Money { int64 units = 1; }\n')
    writeFileSync(join(dir, 'protos', 'orders.proto'), 'syntax = "proto3";\npackage shop;\nimport "shop/money.proto";\nimport "google/api/annotations.proto";\n' +
      'message Req { string id = 1; shop.Money price = 2; }\nservice Shop { rpc Get(Req) returns (Req) { option (google.api.http) = { get: "/v1/items/{id}" }; } }\n')
    writeFileSync(join(dir, 'protos', 'taxed.proto'), 'syntax = "proto3";\nimport "shop/tax.proto";\n')
    writeFileSync(join(dir, 'broken.proto'), 'syntax = "proto3"; message {')
    writeFileSync(join(dir, 'garbage.pb'), Buffer.from([0x0a, 0xff, 0xff, 0xff]))
  })
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('accepts .proto files whose imports are found beside them or in import_paths, and carries their texts in the resolved config', () => {
    const result = validateConfig(documentWith({ proto_files: ['protos/orders.proto'], import_paths: ['protos'] }), options())
    if (!result.ok) assert.fail(JSON.stringify(result.problems))
    const grpc = result.config.services[0]?.grpc
    assert.deepEqual(grpc?.protos?.map((f) => f.name).sort(), ['protos/orders.proto', 'shop/money.proto'], 'files are inline with their imports, by import name')
    assert.equal(grpc?.proto_files, undefined)
    assert.deepEqual(grpc?.import_paths, [])
    const again = validateConfig(documentWith(grpc as Record<string, unknown>), { ...options(), baseDir: '/nowhere' })
    assert.ok(again.ok, 'the normalised section validates anywhere: it names no file')
  })

  it('refuses a missing import, a file that does not parse and bytes that are not a FileDescriptorSet', () => {
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto_files: ['protos/taxed.proto'], import_paths: ['.'] }), options())), [
      ['/services/0/grpc/import_paths', `'protos/taxed.proto' imports 'shop/tax.proto', found in none of: ${dir}, ${join(dir, 'protos')}`]
    ])
    const [parse] = problemsOf(validateConfig(documentWith({ proto_files: ['broken.proto'] }), options()))
    assert.equal(parse?.[0], '/services/0/grpc')
    assert.match(parse?.[1] ?? '', /^broken\.proto: /)
    const [bytes] = problemsOf(validateConfig(documentWith({ descriptor_set_file: 'garbage.pb' }), options()))
    assert.deepEqual(bytes?.[0], '/services/0/grpc')
    assert.match(bytes?.[1] ?? '', /^not a FileDescriptorSet: /)
    assert.deepEqual(problemsOf(validateConfig(documentWith({ descriptor_set_file: 'absent.pb' }), options())), [
      ['/services/0/grpc/descriptor_set_file', `cannot read '${join(dir, 'absent.pb')}': ENOENT`]
    ])
  })

  it('refuses unresolvable types', () => {
    const [problem] = problemsOf(validateConfig(documentWith({ proto: 'syntax = "proto3"; message A { Missing b = 1; } service S { rpc M(A) returns (A); }' }), options()))
    assert.equal(problem?.[0], '/services/0/grpc')
    assert.match(problem?.[1] ?? '', /^unresolvable definitions: .*Missing/)
  })

  it('refuses unknown services and methods, streaming methods and fields a mapping cannot fill', () => {
    const routes = [
      { id: 'a', service: 'orders', paths: ['/a'], grpc: { service: 'tollgate.demo.Nope', method: 'Get' } },
      { id: 'b', service: 'orders', paths: ['/b'], grpc: { service: ORDERS, method: 'Nope' } },
      { id: 'c', service: 'orders', paths: ['/c/*'], grpc: { service: ORDERS, method: 'GetOrder', path: '/c/{order_ids}' } },
      { id: 'd', service: 'orders', paths: ['/d'], grpc: { service: ORDERS, method: 'CreateOrder', body: 'orders' } },
      { id: 'e', service: 'orders', paths: ['/e'], grpc: { service: ORDERS, method: 'GetOrder', response_body: 'nope' } },
      { id: 'f', service: 'orders', paths: ['/f/*'], grpc: { service: ORDERS, method: 'GetOrder', path: '/f/{filter.sku}/{fields}' } }
    ]
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: DEMO_PROTO, services: [ORDERS, 'tollgate.demo.Missing'] }, routes), options())), [
      ['/services/0/grpc/services', "service 'tollgate.demo.Missing' is not in the definitions"],
      ['/routes/0/grpc/method', `service 'tollgate.demo.Nope' is not in the definitions (they have: ${ORDERS})`],
      ['/routes/1/grpc/method', `service '${ORDERS}' has no method 'Nope'`],
      ['/routes/2/grpc/path', "path variable 'order_ids' names no field of tollgate.demo.GetOrderRequest"],
      ['/routes/3/grpc/body', "body 'orders' names no field of tollgate.demo.CreateOrderRequest"],
      ['/routes/4/grpc/response_body', "response_body 'nope' names no field of tollgate.demo.Order"],
      ['/routes/5/grpc/path', "path variable 'fields' names a list or map field"]
    ])
    const streaming = 'syntax = "proto3"; message A {} service S { rpc Collect(stream A) returns (A); rpc Chat(stream A) returns (stream A); }'
    const streamRoutes = ['Collect', 'Chat'].map((method) => ({ id: method, service: 'orders', paths: [`/${method}`], grpc: { service: 'S', method } }))
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: streaming }, streamRoutes), options())), [
      ['/routes/0/grpc/method', "method 'S.Collect' is client-streaming; an HTTP request carries one message, so only unary and server-streaming methods are transcoded"],
      ['/routes/1/grpc/method', "method 'S.Chat' is bidirectional streaming; an HTTP request carries one message, so only unary and server-streaming methods are transcoded"]
    ])
    const annotated = 'syntax = "proto3"; import "google/api/annotations.proto"; message A { string id = 1; }\n' +
      'service S { rpc Collect(stream A) returns (A) { option (google.api.http) = { post: "/v1/a" body: "*" }; } }'
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: annotated }), options())), [
      ['/services/0/grpc', "method 'S.Collect' is client-streaming; an HTTP request carries one message, so only unary and server-streaming methods are transcoded"]
    ])
  })

  it('accepts server-streaming methods, by route mapping and by annotation', () => {
    const proto = 'syntax = "proto3"; import "google/api/annotations.proto"; message A { string id = 1; }\n' +
      'service S { rpc Watch(A) returns (stream A) { option (google.api.http) = { get: "/v1/watch/{id}" }; } }'
    const routes = [{ id: 'api', service: 'orders', paths: ['/v1/*'] }, { id: 'w', service: 'orders', paths: ['/w'], grpc: { service: 'S', method: 'Watch', body: '' } }]
    const result = validateConfig(documentWith({ proto }, routes), options())
    assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems))
  })

  it('refuses bad annotations, naming the method', () => {
    const proto = 'syntax = "proto3"; import "google/api/annotations.proto"; message A { string id = 1; }\n' +
      'service S { rpc M(A) returns (A) { option (google.api.http) = { get: "/v1/{name}" }; } }'
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto }), options())), [
      ['/services/0/grpc', "method S.M: path variable 'name' names no field of A"]
    ])
    const badTemplate = proto.replace('/v1/{name}', '/v1/**/x')
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: badTemplate }), options())), [
      ['/services/0/grpc', "method S.M: '**' must be the last segment of '/v1/**/x'"]
    ])
  })

  it('needs a mapping on routes to a service without annotations, and grpc settings only on grpc services', () => {
    const plain = 'syntax = "proto3"; message A {} service S { rpc M(A) returns (A); }'
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: plain }), options())), [
      ['/routes/0', "route to gRPC service 'orders' needs a grpc mapping (service and method): its definitions have no google.api.http annotations"]
    ])
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: plain }, [{ id: 'r', service: 'orders', paths: ['/r'], grpc: { service: 'S', method: 'M' } }], 'http'), options())), [
      ['/services/0/grpc/proto', "service 'orders' speaks http, not grpc"],
      ['/routes/0/grpc', "service 'orders' speaks http, not grpc"]
    ])
    assert.deepEqual(problemsOf(validateConfig(documentWith({ proto: plain, descriptor_set: 'AAAA' }), options())), [
      ['/services/0/grpc', 'give exactly one of proto, protos, proto_files, descriptor_set, descriptor_set_file (found proto, descriptor_set)']
    ])
  })
})
