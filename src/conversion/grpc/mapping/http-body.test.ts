import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Metadata } from '@grpc/grpc-js'
import type protobuf from 'protobufjs'
import { compileSchema } from '../descriptors/compile-schema.js'
import { annotatedBindings, routeBinding, type GrpcBinding } from '../http-rules/bindings.js'
import { requestMessage } from '../request-message.js'
import { replyForStatus } from '../replies.js'
import { HTTP_BODY_PROTO } from '../testing/http-body-proto.js'

// The definitions import google/api/httpbody.proto without supplying it: Tollgate carries that file.
const schema = compileSchema({ kind: 'proto', files: [{ name: 'files.proto', text: HTTP_BODY_PROTO }] })
const HttpBody = schema.root.lookupType('google.api.HttpBody')
const UploadRequest = schema.root.lookupType('tollgate.files.UploadRequest')
const Stored = schema.root.lookupType('tollgate.files.Stored')
const bindings = annotatedBindings(schema, undefined)
const binding = (method: string): GrpcBinding => bindings.find((b) => b.grpcPath === `/tollgate.files.Files/${method}`) as GrpcBinding

/** Bytes that are neither JSON nor UTF-8. */
const BINARY = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0a, 0x7b])

const decoded = (type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> =>
  type.toObject(type.decode(bytes), { bytes: Buffer }) as Record<string, unknown>
const ok = { code: 0, details: '', metadata: new Metadata() }
const encoded = (type: protobuf.Type, value: Record<string, unknown>): Buffer => Buffer.from(type.encode(type.fromObject(value)).finish())
const noQuery = new Set<string>()

describe('google.api.HttpBody bindings', () => {
  it('marks raw bodies by the type google.api.HttpBody, as the message or as the body / response_body field', () => {
    const kinds = (b: GrpcBinding): string => `${b.grpcPath} in=${String(b.rawRequestBody)} out=${String(b.rawResponseBody)}`
    assert.deepEqual(['Put', 'Upload', 'Fetch', 'Describe'].map((m) => kinds(binding(m))), [
      '/tollgate.files.Files/Put in=true out=true',
      '/tollgate.files.Files/Upload in=true out=true',
      '/tollgate.files.Files/Fetch in=false out=true',
      '/tollgate.files.Files/Describe in=false out=false'
    ])
  })

  it('leaves an HttpBody request to JSON when the binding takes no body', () => {
    const route = routeBinding(schema, { service: 'tollgate.files.Files', method: 'Put', body: '' })
    assert.equal(route.rawRequestBody, false)
    assert.equal(route.rawResponseBody, true)
  })
})

describe('HTTP request → google.api.HttpBody', () => {
  it('puts the raw body and its Content-Type in the request message, without reading it as JSON', () => {
    const bytes = requestMessage(binding('Put'), { pathValues: [], query: '', body: BINARY, contentType: 'image/png', ignoredQuery: noQuery })
    assert.deepEqual(decoded(HttpBody, bytes), { content_type: 'image/png', data: BINARY })
  })

  it('puts the raw body in the body field while the path and the query fill the other fields', () => {
    const bytes = requestMessage(binding('Upload'), { pathValues: ['docs'], query: 'name=a%20b.txt', body: BINARY, contentType: 'text/plain; charset=latin1', ignoredQuery: noQuery })
    assert.deepEqual(decoded(UploadRequest, bytes), { folder: 'docs', name: 'a b.txt', file: { content_type: 'text/plain; charset=latin1', data: BINARY } })
  })

  it('leaves the body field out when the request has neither a body nor a Content-Type', () => {
    const bytes = requestMessage(binding('Upload'), { pathValues: ['docs'], query: '', body: Buffer.alloc(0), contentType: undefined, ignoredQuery: noQuery })
    assert.deepEqual(decoded(UploadRequest, bytes), { folder: 'docs' })
  })

  it('still refuses a query parameter that names the body field', () => {
    assert.throws(() => requestMessage(binding('Upload'), { pathValues: ['docs'], query: 'file.data=x', body: BINARY, contentType: 'text/plain', ignoredQuery: noQuery }),
      { message: "'file' comes from the request body" })
  })
})

describe('google.api.HttpBody → HTTP response', () => {
  it('answers with the data bytes unchanged and content_type as Content-Type', () => {
    const reply = replyForStatus(binding('Fetch'), ok, encoded(HttpBody, { content_type: 'application/pdf', data: BINARY }), undefined)
    assert.equal(reply.status, 200)
    assert.equal(reply.headers?.['content-type'], 'application/pdf')
    assert.deepEqual(reply.body, BINARY)
  })

  it('answers with the body of the response_body field', () => {
    const reply = replyForStatus(binding('Upload'), ok, encoded(Stored, { name: 'a.txt', file: { content_type: 'text/csv', data: Buffer.from('a,b\n1,2\n') } }), undefined)
    assert.equal(reply.headers?.['content-type'], 'text/csv')
    assert.equal(String(reply.body), 'a,b\n1,2\n')
  })

  it('answers application/octet-stream and no bytes for an empty HttpBody', () => {
    const reply = replyForStatus(binding('Fetch'), ok, Buffer.alloc(0), undefined)
    assert.equal(reply.headers?.['content-type'], 'application/octet-stream')
    assert.deepEqual(reply.body, Buffer.alloc(0))
    const noField = replyForStatus(binding('Upload'), ok, encoded(Stored, { name: 'only-a-name' }), undefined)
    assert.deepEqual(noField.body, Buffer.alloc(0))
  })

  it('renders an HttpBody inside an ordinary answer as JSON', () => {
    const reply = replyForStatus(binding('Describe'), ok, encoded(Stored, { name: 'a', file: { content_type: 'text/plain', data: Buffer.from('hi') } }), undefined)
    assert.equal(reply.headers?.['content-type'], 'application/json')
    assert.equal(reply.body, '{"name":"a","file":{"contentType":"text/plain","data":"aGk="}}')
  })

  it('refuses a content_type no header can carry (502), rather than writing it', () => {
    const reply = replyForStatus(binding('Fetch'), ok, encoded(HttpBody, { content_type: 'text/plain\r\nx-injected: 1', data: BINARY }), undefined)
    assert.equal(reply.status, 502)
    assert.equal(reply.code, 'TG_UPSTREAM_BAD_RESPONSE')
    assert.match(String(reply.message), /content_type .* is not a valid header value/)
  })

  it('answers 502 for bytes that are not an HttpBody', () => {
    const reply = replyForStatus(binding('Fetch'), ok, Buffer.from([0x12, 0x7f, 0x01]), undefined)
    assert.equal(reply.status, 502)
    assert.equal(reply.code, 'TG_UPSTREAM_BAD_RESPONSE')
  })
})
