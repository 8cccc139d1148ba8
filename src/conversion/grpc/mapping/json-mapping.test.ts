// protobufjs's bundled well-known types name their fields in camelCase (nullValue, listValue); Tollgate reads them by number.
import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import protobuf from 'protobufjs'
import { scan } from '../../../codec/json/index.js'
import { compileSchema } from '../descriptors/compile-schema.js'
import { DEMO_PROTO } from '../testing/demo-proto.js'
import { encodeRequest, type ParamTree } from './json-to-proto.js'
import { messageToJson } from './proto-to-json.js'
import { MappingError } from './mapping-error.js'
import { textValue } from './json-to-proto.js'
import { WireError } from './wire-read.js'

const schema = compileSchema({ kind: 'proto', files: [{ name: 'demo.proto', text: DEMO_PROTO }] })
const Order = schema.root.lookupType('tollgate.demo.Order')
const GetOrderRequest = schema.root.lookupType('tollgate.demo.GetOrderRequest')

const encode = (type: protobuf.Type, json: string, params?: ParamTree): Uint8Array => encodeRequest(type, scan(json).root, params)
/** protobufjs's own reading of our bytes, with 64-bit values as decimal strings. */
const theirs = (type: protobuf.Type, bytes: Uint8Array): Record<string, unknown> =>
  type.toObject(type.decode(bytes), { longs: String, enums: String, bytes: String }) as Record<string, unknown>
const refusal = (type: protobuf.Type, json: string): MappingError => {
  try {
    encode(type, json)
  } catch (error) {
    if (error instanceof MappingError) return error
    throw error
  }
  throw new Error('the body was accepted')
}

describe('JSON → protobuf (checked against protobufjs)', () => {
  it('keeps 64-bit integers beyond 2^53 exact, whether written as JSON numbers or strings', () => {
    const bytes = encode(Order, '{"orderId":9007199254740993123,"totalMicros":"18446744073709551615","checksum":18446744073709551615,"offset":"-9223372036854775808","tags":[9007199254740993,"-1"]}')
    const decoded = theirs(Order, bytes)
    assert.equal(decoded.order_id, '9007199254740993123')
    assert.equal(decoded.total_micros, '18446744073709551615')
    assert.equal(decoded.checksum, '18446744073709551615')
    assert.equal(decoded.offset, '-9223372036854775808')
    assert.deepEqual(decoded.tags, ['9007199254740993', '-1'])
  })

  it('writes the same bytes as protobufjs for nested messages, lists, maps, enums and sint64', () => {
    const json = '{"order_id":"42","status":"STATUS_PAID","items":[{"sku":"a-1","quantity":3,"priceCents":-250}],"counters":{"views":"7"},"small":-5,"past":[1,"STATUS_OPEN"],"urgent":true,"ratio":0.25,"mainItem":{"sku":"m"}}'
    const ours = Buffer.from(encode(Order, json))
    const object = Order.fromObject({ order_id: '42', status: 2, items: [{ sku: 'a-1', quantity: 3, price_cents: '-250' }], counters: { views: '7' }, small: -5, past: [1, 1], urgent: true, ratio: 0.25, main_item: { sku: 'm' } })
    // Same content in the same field order: protobufjs writes fields in declaration order, as we do here.
    assert.deepEqual(theirs(Order, ours), theirs(Order, Order.encode(object).finish()))
  })

  it('maps the well-known types from their JSON forms', () => {
    const bytes = encode(Order, '{"createdAt":"2024-05-01T12:30:00.120+02:00","ttl":"-1.5s","limit":"9007199254740993","note":"","attributes":{"a":[1,"x",null,true,{"b":{}}]},"mask":"orderId,mainItem.priceCents","gift":false,"extra":null,"history":[1,"two"],"detail":{"@type":"type.googleapis.com/tollgate.demo.Item","sku":"z"}}')
    const decoded = Order.decode(bytes) as unknown as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(decoded.created_at.seconds.toString(), String(Date.UTC(2024, 4, 1, 10, 30) / 1000))
    assert.equal(decoded.created_at.nanos, 120_000_000)
    assert.equal(decoded.ttl.seconds.toString(), '-1')
    assert.equal(decoded.ttl.nanos, -500_000_000)
    assert.equal(decoded.limit.value.toString(), '9007199254740993')
    assert.ok(decoded.note !== null && decoded.note.value === '')
    assert.deepEqual(decoded.mask.paths, ['order_id', 'main_item.price_cents'])
    assert.equal(decoded.gift.value, false)
    assert.equal(decoded.extra.nullValue, 0)
    assert.equal(decoded.attributes.fields.a.listValue.values.length, 5)
    assert.equal(decoded.detail.type_url, 'type.googleapis.com/tollgate.demo.Item')
    assert.equal(schema.root.lookupType('tollgate.demo.Item').decode(decoded.detail.value).toJSON().sku, 'z')
  })

  it('accepts enums by name or number, bytes in standard or URL-safe base64, floats as special strings', () => {
    const decoded = theirs(Order, encode(Order, '{"status":2,"signature":"-_8","ratio":"NaN","weight":"-Infinity"}'))
    assert.equal(decoded.status, 'STATUS_PAID')
    assert.equal(decoded.signature, Buffer.from([0xfb, 0xff]).toString('base64'))
    assert.ok(Number.isNaN(decoded.ratio))
    assert.equal(decoded.weight, -Infinity)
  })

  it('refuses unknown fields, wrong types and out-of-range numbers with the JSON path', () => {
    assert.deepEqual([refusal(Order, '{"items":[{"sku":"a","colour":"red"}]}').path], ['/items/0/colour'])
    assert.equal(refusal(Order, '{"items":[{"quantity":"many"}]}').path, '/items/0/quantity')
    assert.equal(refusal(Order, '{"small":2147483648}').path, '/small')
    assert.equal(refusal(Order, '{"orderId":9223372036854775808}').path, '/orderId')
    assert.equal(refusal(Order, '{"totalMicros":-1}').path, '/totalMicros')
    assert.equal(refusal(Order, '{"orderId":1.5}').path, '/orderId')
    assert.equal(refusal(Order, '{"status":"STATUS_LOST"}').path, '/status')
    assert.equal(refusal(Order, '{"createdAt":"2024-02-30T00:00:00Z"}').path, '/createdAt')
    assert.equal(refusal(Order, '{"ttl":"5m"}').path, '/ttl')
    assert.equal(refusal(Order, '{"card":"c","account":"a"}').path, '/account')
    assert.equal(refusal(Order, '{"order_id":1,"orderId":2}').path, '/orderId')
    assert.equal(refusal(Order, '{"mainItem":[]}').path, '/mainItem')
    assert.equal(refusal(Order, '{"signature":"not base64!"}').path, '/signature')
    assert.match(refusal(Order, '{"items":[{"sku":"a","colour":"red"}]}').describe(), /^\/items\/0\/colour: unknown field of tollgate\.demo\.Item$/)
  })

  it('lets path and query parameters fill fields, over the body and into sub-messages', () => {
    const params: ParamTree = {
      leaves: new Map([['order_id', [{ value: textValue('9007199254740993'), label: 'path {order_id}' }]], ['fields', [{ value: textValue('a'), label: 'query fields' }, { value: textValue('b'), label: 'query fields' }]]]),
      children: new Map([['filter', { leaves: new Map([['priceCents', [{ value: textValue('-3'), label: 'query filter.priceCents' }]]]), children: new Map() }]])
    }
    const decoded = theirs(GetOrderRequest, encode(GetOrderRequest, '{"orderId":"1","shop":"s","filter":{"sku":"k"}}', params))
    assert.deepEqual(decoded, { order_id: '9007199254740993', shop: 's', fields: ['a', 'b'], filter: { sku: 'k', price_cents: '-3' } })
  })

  it('names the parameter of an unknown field', () => {
    const params: ParamTree = { leaves: new Map([['colour', [{ value: textValue('red'), label: "query parameter 'colour'" }]]]), children: new Map() }
    assert.throws(() => encode(GetOrderRequest, '{}', params), (error: MappingError) => error.path === "query parameter 'colour'")
  })
})

describe('protobuf → JSON (proto3 JSON mapping)', () => {
  it('prints 64-bit integers as strings, enums by name, lowerCamel names, defaults omitted', () => {
    const message = Order.fromObject({ order_id: '9007199254740993123', total_micros: '18446744073709551615', status: 1, small: 0, items: [{ sku: 'a', quantity: 0, price_cents: '-9007199254740993' }], counters: { c: '1' }, tags: [] })
    assert.equal(messageToJson(Order, Order.encode(message).finish()),
      '{"orderId":"9007199254740993123","totalMicros":"18446744073709551615","status":"STATUS_OPEN","items":[{"sku":"a","priceCents":"-9007199254740993"}],"counters":{"c":"1"}}')
  })

  it('prints every 64-bit kind exactly around 2^53 and at its limits', () => {
    const signed = ['0', '1', '-1', '9007199254740991', '9007199254740992', '9007199254740993', '-9007199254740992', '-9007199254740993', '9223372036854775807', '-9223372036854775808']
    const unsigned = ['0', '1', '4294967295', '4294967296', '9007199254740993', '18446744073709551615']
    for (const value of signed) {
      const json = `{"orderId":"${value}","offset":"${value}","items":[{"priceCents":"${value}"}]}`.replace(/"orderId":"0",|"offset":"0",|"priceCents":"0"/g, '')
      assert.equal(messageToJson(Order, encode(Order, json)), json, value)
    }
    for (const value of unsigned.slice(1)) {
      const json = `{"totalMicros":"${value}","checksum":"${value}"}`
      assert.equal(messageToJson(Order, encode(Order, json)), json, value)
    }
  })

  it('prints the well-known types in their JSON forms (hand-checked vector)', () => {
    const message = Order.fromObject({
      created_at: { seconds: 1714566600, nanos: 120000000 },
      ttl: { seconds: -1, nanos: -500000000 },
      limit: { value: '9007199254740993' },
      note: { value: '' },
      attributes: { fields: { a: { listValue: { values: [{ numberValue: 1 }, { stringValue: 'x' }, { nullValue: 0 }, { boolValue: true }, { structValue: { fields: {} } }] } } } },
      mask: { paths: ['order_id', 'main_item.price_cents'] },
      gift: {},
      extra: { nullValue: 0 },
      detail: { type_url: 'type.googleapis.com/google.protobuf.Duration', value: schema.root.lookupType('google.protobuf.Duration').encode({ seconds: 3 }).finish() },
      signature: Buffer.from([0xfb, 0xff]),
      weight: 0.1,
      ratio: Infinity,
      priority: 0
    })
    assert.equal(messageToJson(Order, Order.encode(message).finish()),
      '{"createdAt":"2024-05-01T12:30:00.120Z","ttl":"-1.500s","limit":"9007199254740993","note":"","attributes":{"a":[1,"x",null,true,{}]},' +
      '"mask":"orderId,mainItem.priceCents","signature":"+/8=","ratio":"Infinity","weight":0.1,"priority":0,"extra":null,"detail":{"@type":"type.googleapis.com/google.protobuf.Duration","value":"3s"},"gift":false}')
  })

  it('round-trips a full order exactly (JSON → protobuf → JSON)', () => {
    const json = '{"orderId":"9007199254740993123","totalMicros":"18446744073709551615","checksum":"1","offset":"-2","small":-5,"status":"STATUS_PAID","items":[{"sku":"a","quantity":2,"priceCents":"-250"}],"tags":["1","9007199254740993"],"counters":{"x":"-9223372036854775808"},"createdAt":"1970-01-01T00:00:00Z","ttl":"0.000000001s","limit":"0","attributes":{"k":{"n":1.5}},"mask":"a.bC","signature":"AAE=","urgent":true,"ratio":1e-7,"card":"4111","priority":7,"extra":[1,{"a":null}],"history":[],"detail":{"@type":"type.googleapis.com/tollgate.demo.Item","sku":"d","quantity":1},"mainItem":{},"past":["STATUS_OPEN",5],"bySlot":{"-1":{"sku":"neg"}}}'
    assert.equal(messageToJson(Order, encode(Order, json)), json)
  })

  it('refuses bytes that are not the message (truncated, wrong wire type) with a WireError', () => {
    const bytes = Order.encode(Order.fromObject({ order_id: '1', items: [{ sku: 'abc' }] })).finish()
    assert.throws(() => messageToJson(Order, bytes.subarray(0, bytes.length - 1)), WireError)
    // Field 7 (items, a message) written as a varint.
    assert.throws(() => messageToJson(Order, Uint8Array.from([7 << 3, 1])), WireError)
  })
})
