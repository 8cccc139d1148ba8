import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonCodecError, JsonNumber, scan } from './index.js'

const ORDER = '{"orderId": 9007199254740993, "merchant": {"name": "Tollgate \\/ 测试", "city": "caf\\u00e9"},\n' +
  ' "items": [{"sku": 18446744073709551617, "price": 1.0, "qty": 1E+2}, {"sku": -0, "note": null, "gift": true}], "tags": [], "meta": {}}'

test('navigates by key and index and reports kinds', () => {
  const doc = scan(ORDER)
  assert.equal(doc.root.kind, 'object')
  assert.equal(doc.get('items')?.kind, 'array')
  assert.equal(doc.get(['items', 1, 'note'])?.kind, 'null')
  assert.equal(doc.get(['items', 1, 'note'])?.isNull, true)
  assert.equal(doc.get(['items', 1, 'gift'])?.boolean(), true)
  assert.equal(doc.get(['merchant', 'name'])?.kind, 'string')
  assert.equal(doc.get(['items', 0, 'qty'])?.kind, 'number')
  assert.equal(doc.get(['items', 2]), undefined)
  assert.equal(doc.get(['items', 'x']), undefined)
  assert.equal(doc.get(['merchant', 0]), undefined)
  assert.equal(doc.get(['nope', 'deeper']), undefined)
  assert.equal(doc.has(['items', 1, 'gift']), true)
  assert.deepEqual(doc.root.keys(), ['orderId', 'merchant', 'items', 'tags', 'meta'])
  assert.equal(doc.get('items')?.length, 2)
  assert.equal(doc.get('items')?.at([0, 'price'])?.text(), '1.0')
})

test('raw() is a zero-copy slice of the input with the original spelling', () => {
  const bytes = Buffer.from(ORDER)
  const doc = scan(bytes)
  const name = doc.get(['merchant', 'name'])
  assert.ok(name !== undefined)
  assert.equal(name.text(), '"Tollgate \\/ 测试"')
  assert.equal(name.raw().buffer, bytes.buffer)
  assert.equal(doc.get('meta')?.text(), '{}')
  assert.equal(doc.get('tags')?.text(), '[]')
  assert.equal(doc.get(['items', 1, 'sku'])?.text(), '-0')
})

test('strings are decoded only on demand, escapes included', () => {
  const doc = scan(ORDER)
  assert.equal(doc.get(['merchant', 'name'])?.string(), 'Tollgate / 测试')
  assert.equal(doc.get(['merchant', 'city'])?.string(), 'café')
  assert.equal(scan('"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041\\ud83d\\ude00"').root.string(), '"\\/\b\f\n\r\tA😀')
})

test('keys with escapes are found by their decoded text', () => {
  const doc = scan('{"a\\u0062": 1, "\\/": 2}')
  assert.equal(doc.get('ab')?.text(), '1')
  assert.equal(doc.get('/')?.text(), '2')
  assert.deepEqual(doc.root.keys(), ['ab', '/'])
})

test('numbers are exact text; toBigInt for integers, toNumber only when asked', () => {
  const doc = scan(ORDER)
  const id = doc.get('orderId')?.number()
  assert.ok(id !== undefined)
  assert.equal(id.raw, '9007199254740993')
  assert.equal(id.isInteger, true)
  assert.equal(id.isSafeInteger, false)
  assert.equal(id.toBigInt(), 9007199254740993n)
  assert.equal(id.toNumber(), 9007199254740992)
  assert.equal(new JsonNumber('9007199254740991').isSafeInteger, true)
  assert.equal(new JsonNumber('-9007199254740991').isSafeInteger, true)
  assert.equal(new JsonNumber('-9007199254740992').isSafeInteger, false)
  const qty = doc.get(['items', 0, 'qty'])?.number()
  assert.equal(qty?.raw, '1E+2')
  assert.equal(qty?.isInteger, false)
  assert.throws(() => qty?.toBigInt(), { code: 'TG_JSON_NOT_INTEGER' })
  assert.throws(() => new JsonNumber('01'), { code: 'TG_JSON_BAD_VALUE' })
})

test('reading the wrong kind throws TG_JSON_WRONG_KIND', () => {
  const doc = scan(ORDER)
  assert.throws(() => doc.get('orderId')?.string(), (error: unknown) => error instanceof JsonCodecError && error.code === 'TG_JSON_WRONG_KIND')
  assert.throws(() => doc.get('merchant')?.number(), { code: 'TG_JSON_WRONG_KIND' })
  assert.throws(() => doc.get('tags')?.boolean(), { code: 'TG_JSON_WRONG_KIND' })
})

test('toJS never rounds: bigint for large integers, JsonNumber for inexact decimals', () => {
  const value = scan('[9007199254740991, 9007199254740993, -18446744073709551617, 1.0, 0.1, 1E+2, 1.000000000000000005, 1e400, 1e-999, -0]').toJS() as unknown[]
  assert.equal(value[0], 9007199254740991)
  assert.equal(value[1], 9007199254740993n)
  assert.equal(value[2], -18446744073709551617n)
  assert.equal(value[3], 1)
  assert.equal(value[4], 0.1)
  assert.equal(value[5], 100)
  assert.ok(value[6] instanceof JsonNumber && value[6].raw === '1.000000000000000005')
  assert.ok(value[7] instanceof JsonNumber && value[7].raw === '1e400')
  assert.ok(value[8] instanceof JsonNumber && value[8].raw === '1e-999')
  assert.ok(Object.is(value[9], -0))
})

test("toJS with numbers: 'lossless' gives a JsonNumber for every number", () => {
  const value = scan('{"a": [1, 2.5]}').toJS({ numbers: 'lossless' }) as { a: JsonNumber[] }
  assert.deepEqual(value.a.map((n) => n.raw), ['1', '2.5'])
})

test('toJS keeps a "__proto__" key as an own property', () => {
  const value = scan('{"__proto__": {"polluted": true}, "a": 1}').toJS() as Record<string, unknown>
  assert.equal(Object.getPrototypeOf(value), Object.prototype)
  assert.deepEqual(Object.keys(value), ['__proto__', 'a'])
  assert.equal(({} as Record<string, unknown>).polluted, undefined)
})

test('toJS matches JSON.parse on documents without big numbers', () => {
  const text = '{"a":[1,"x\\n",{"b":null,"c":[true,false]}],"d":"é😀","e":-1.5e3}'
  assert.deepEqual(scan(text).toJS(), JSON.parse(text))
})
