import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonCodecError, JsonNumber, rawJson, scan } from './index.js'

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8')

const BODY = '{\n  "orderId": 1,\n  "path": "a\\/b",\n  "name": "caf\\u00e9",\n  "items": [ {"sku": 1.0}, {"sku": 1E+2} ],\n  "empty": {}\n}\n'

test('emit() with no edits returns the input buffer itself', () => {
  const bytes = Buffer.from(BODY)
  const doc = scan(bytes)
  doc.get(['items', 0, 'sku'])?.number()
  assert.equal(doc.emit(), bytes)
  assert.equal(doc.changed, false)
})

test('set replaces one value; every other byte, escape and spelling is kept', () => {
  const doc = scan(BODY).set(['orderId'], 9007199254740993n)
  assert.equal(text(doc.emit()), BODY.replace('"orderId": 1', '"orderId": 9007199254740993'))
  assert.equal(doc.get('orderId')?.number().toBigInt(), 9007199254740993n)
})

test('new strings are written minimally and never escape "/"', () => {
  const doc = scan('{"a":1}').set(['a'], 'https://x/y "é" \n 😀 \u0001 \ud800')
  assert.equal(text(doc.emit()), '{"a":"https://x/y \\"é\\" \\n 😀 \\u0001 \\ud800"}')
  assert.equal(doc.get('a')?.string(), 'https://x/y "é" \n 😀 \u0001 \ud800')
})

test('set adds a missing key at the end of an object and handles an empty one', () => {
  const doc = scan(BODY).set(['empty', 'k'], [1, 'x', null, true, { n: -0 }]).set(['added'], 'v')
  const out = text(doc.emit())
  assert.equal(out, BODY.replace('"empty": {}\n}', '"empty": {"k":[1,"x",null,true,{"n":-0}]},"added":"v"\n}'))
  assert.equal(doc.get(['empty', 'k', 4, 'n'])?.text(), '-0')
})

test('delete removes a member with one separator and keeps the rest', () => {
  const doc = scan('{"a": 1, "b": 2, "c": 3}')
  assert.equal(doc.delete(['b']), true)
  assert.equal(text(doc.emit()), '{"a": 1, "c": 3}')
  assert.equal(doc.delete(['a']), true)
  assert.equal(doc.delete(['c']), true)
  assert.equal(text(doc.emit()), '{}')
  assert.equal(doc.delete(['zzz']), false)
  assert.equal(doc.get('b'), undefined)
  assert.equal(doc.root.length, 0)
})

test('a delete that finds nothing leaves the document unchanged', () => {
  const bytes = Buffer.from('{"a":[1]}')
  const doc = scan(bytes)
  assert.equal(doc.delete(['b']), false)
  assert.equal(doc.delete(['a', 5]), false)
  assert.equal(doc.delete(['x', 'y']), false)
  assert.equal(doc.emit(), bytes)
})

test('insert and append place array elements where asked', () => {
  const doc = scan('[ 1, 2 ]')
  doc.insert([0], 'first').insert([2], 'mid').append([], 'last').insert([1], 'second')
  assert.deepEqual(doc.toJS(), ['first', 'second', 1, 'mid', 2, 'last'])
  assert.equal(text(doc.emit()), '[ "first","second",1, "mid",2,"last" ]')
  doc.delete([1])
  doc.set([0], 0)
  assert.deepEqual(doc.toJS(), [0, 1, 'mid', 2, 'last'])
  assert.equal(scan('[]').append([], 1).append([], 2).emitText(), '[1,2]')
})

test('set at index = length appends; beyond it is TG_JSON_PATH_NOT_FOUND', () => {
  const doc = scan('[1]').set([1], 2)
  assert.equal(doc.emitText(), '[1,2]')
  assert.throws(() => doc.set([5], 3), { code: 'TG_JSON_PATH_NOT_FOUND' })
})

test('raw JSON text is validated and copied byte for byte', () => {
  const doc = scan('{"a":1}').set(['a'], rawJson('{"x": 1.50, "y": "\\u00e9\\/"}'))
  assert.equal(doc.emitText(), '{"a":{"x": 1.50, "y": "\\u00e9\\/"}}')
  assert.equal(doc.get(['a', 'y'])?.string(), 'é/')
  assert.throws(() => doc.set(['a'], rawJson('[1,]')), { code: 'TG_JSON_TRAILING_COMMA' })
  assert.throws(() => doc.set(['a'], [rawJson('1,2')]), { code: 'TG_JSON_TRAILING_DATA' })
  assert.equal(scan('[0]').set([0], [rawJson(Buffer.from('"\\/"'))]).emitText(), '[["\\/"]]')
})

test('a value read from one document can be set into another, keeping its bytes', () => {
  const source = scan('{"keep": {"a" : "\\/", "n": 1.0}}')
  const doc = scan('{"x":null}').set(['x'], source.get('keep') as never)
  assert.equal(doc.emitText(), '{"x":{"a" : "\\/", "n": 1.0}}')
})

test('JsonNumber and bigint values are written exactly', () => {
  const doc = scan('[0,0]').set([0], new JsonNumber('1.000000000000000005')).set([1], -18446744073709551617n)
  assert.equal(doc.emitText(), '[1.000000000000000005,-18446744073709551617]')
})

test('edits inside a value set earlier go into that value', () => {
  const doc = scan('{"a": 1}')
  doc.set(['a'], { b: [1] })
  doc.append(['a', 'b'], 2)
  doc.set(['a', 'c'], 'z')
  assert.equal(doc.emitText(), '{"a": {"b":[1,2],"c":"z"}}')
})

test('set([]) replaces the root and keeps surrounding whitespace', () => {
  const doc = scan(' [1] \n').set([], { a: 1 })
  assert.equal(doc.emitText(), ' {"a":1} \n')
  assert.equal(doc.get('a')?.text(), '1')
})

test('raw() of an edited container gives its new bytes', () => {
  const doc = scan('{"o": {"a": 1,  "b": 2}}').set(['o', 'b'], 3)
  assert.equal(doc.get('o')?.text(), '{"a": 1,  "b": 3}')
})

test('compact mode strips insignificant whitespace only', () => {
  const doc = scan(BODY)
  assert.equal(doc.emitText({ compact: true }), '{"orderId":1,"path":"a\\/b","name":"caf\\u00e9","items":[{"sku":1.0},{"sku":1E+2}],"empty":{}}')
  assert.equal(scan('[" a \\" b "]').emitText({ compact: true }), '[" a \\" b "]')
})

test('a string input comes back as the same string when unedited', () => {
  const doc = scan(BODY)
  assert.equal(doc.emitText(), BODY)
})

test('bad edits are refused with a code and leave the document unchanged', () => {
  const bytes = Buffer.from('{"a":[1],"s":"x"}')
  const doc = scan(bytes)
  const code = (expected: string) => (error: unknown) => error instanceof JsonCodecError && error.code === expected
  assert.throws(() => doc.set(['missing', 'x'], 1), code('TG_JSON_PATH_NOT_FOUND'))
  assert.throws(() => doc.set(['s', 'x'], 1), code('TG_JSON_WRONG_KIND'))
  assert.throws(() => doc.set(['a', 'x'], 1), code('TG_JSON_WRONG_KIND'))
  assert.throws(() => doc.insert(['a', 3], 1), code('TG_JSON_PATH_NOT_FOUND'))
  assert.throws(() => doc.insert(['s'], 1), code('TG_JSON_KEY_EXISTS'))
  assert.throws(() => doc.append(['s'], 1), code('TG_JSON_WRONG_KIND'))
  assert.throws(() => doc.set(['a', 0], NaN), code('TG_JSON_BAD_VALUE'))
  assert.throws(() => doc.set(['a', 0], undefined as never), code('TG_JSON_BAD_VALUE'))
  assert.throws(() => doc.set(['a', 0], new Date() as never), code('TG_JSON_BAD_VALUE'))
  const cyclic: Record<string, unknown> = {}
  cyclic.self = cyclic
  assert.throws(() => doc.set(['a', 0], cyclic as never), code('TG_JSON_BAD_VALUE'))
  assert.equal(doc.emit(), bytes)
})

test('an edit at the deepest allowed level emits without a stack overflow', () => {
  const depth = 1024
  const doc = scan('['.repeat(depth) + '1' + ']'.repeat(depth), { maxDepth: depth })
  doc.set(new Array<number>(depth).fill(0), 2)
  assert.ok(doc.emitText() === '['.repeat(depth) + '2' + ']'.repeat(depth))
})

test('scalar edit values (written without a second scan) read back with their exact kind and text', () => {
  const doc = scan('{"s":0,"e":0,"f":0,"x":0,"b":0,"t":0,"n":0,"j":0,"k":0,"z":0}')
    .set(['s'], 'plain').set(['e'], 'q"\\').set(['f'], 1.5).set(['x'], 1e21).set(['b'], 2n ** 64n)
    .set(['t'], true).set(['n'], null).set(['j'], new JsonNumber('1.0E+2')).set(['k'], new JsonNumber('-0')).set(['z'], false)
  assert.equal(text(doc.emit()), '{"s":"plain","e":"q\\"\\\\","f":1.5,"x":1e+21,"b":18446744073709551616,"t":true,"n":null,"j":1.0E+2,"k":-0,"z":false}')
  assert.equal(doc.get('s')?.string(), 'plain')
  assert.equal(doc.get('e')?.string(), 'q"\\')
  assert.equal(doc.get('f')?.number().isInteger, false)
  assert.equal(doc.get('x')?.number().isInteger, false)
  assert.equal(doc.get('b')?.number().toBigInt(), 2n ** 64n)
  assert.equal(doc.get('j')?.number().isInteger, false)
  assert.equal(doc.get('k')?.number().isInteger, true)
  assert.deepEqual([doc.get('t')?.boolean(), doc.get('z')?.boolean(), doc.get('n')?.isNull], [true, false, true])
  assert.deepEqual(doc.toJS(), { s: 'plain', e: 'q"\\', f: 1.5, x: 1e21, b: 2n ** 64n, t: true, n: null, j: 100, k: -0, z: false })
})

test('a scalar edit value over maxBytes is refused like a scanned one', () => {
  const doc = scan('{"a":1}', { maxBytes: 16 })
  assert.throws(() => doc.set(['a'], 'x'.repeat(20)), { code: 'TG_JSON_TOO_LARGE' })
  assert.throws(() => doc.set(['a'], NaN), { code: 'TG_JSON_BAD_VALUE' })
})
