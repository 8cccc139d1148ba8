import { test } from 'node:test'
import assert from 'node:assert/strict'
import { JsonCodecError, JsonSyntaxError, scan, type JsonSyntaxCode, type ScanOptions } from './index.js'

function rejects (input: string | Uint8Array, code: JsonSyntaxCode, offset: number, options?: ScanOptions): JsonSyntaxError {
  let caught: unknown
  try { scan(input, options) } catch (error) { caught = error }
  assert.ok(caught instanceof JsonSyntaxError, `expected ${code} for ${JSON.stringify(String(input))}, got ${String(caught)}`)
  assert.equal(caught.code, code)
  assert.equal(caught.offset, offset)
  assert.ok(caught.reason.length > 0 && caught.message.includes(`byte ${offset}`))
  return caught
}

test('each rejected form has its own stable code and the offset of the offending byte', () => {
  rejects('[1,2,]', 'TG_JSON_TRAILING_COMMA', 4)
  rejects('{"a":1 , }', 'TG_JSON_TRAILING_COMMA', 7)
  rejects('[01]', 'TG_JSON_LEADING_ZERO', 1)
  rejects('-012', 'TG_JSON_LEADING_ZERO', 0)
  rejects('[NaN]', 'TG_JSON_NON_FINITE', 1)
  rejects('Infinity', 'TG_JSON_NON_FINITE', 0)
  rejects('[-Infinity]', 'TG_JSON_NON_FINITE', 1)
  rejects("{'a':1}", 'TG_JSON_SINGLE_QUOTE', 1)
  rejects("['a']", 'TG_JSON_SINGLE_QUOTE', 1)
  rejects('[1 // x\n]', 'TG_JSON_COMMENT', 3)
  rejects('/* x */ 1', 'TG_JSON_COMMENT', 0)
  rejects('["a\tb"]', 'TG_JSON_CONTROL_CHAR', 3)
  rejects('"\u0000"', 'TG_JSON_CONTROL_CHAR', 1)
  rejects('["\\x"]', 'TG_JSON_BAD_ESCAPE', 2)
  rejects('["\\u00e"]', 'TG_JSON_BAD_ESCAPE', 2)
  rejects('["\\u12"]', 'TG_JSON_BAD_ESCAPE', 2)
  rejects('"\\U0041"', 'TG_JSON_BAD_ESCAPE', 1)
  rejects(Buffer.from([0x22, 0x61, 0xc3, 0x28, 0x22]), 'TG_JSON_INVALID_UTF8', 2)
  rejects(Buffer.from([0x22, 0xed, 0xa0, 0x80, 0x22]), 'TG_JSON_INVALID_UTF8', 1)
  rejects(Buffer.from([0xef, 0xbb, 0xbf, 0x7b, 0x7d]), 'TG_JSON_BOM', 0)
  rejects('\ufeff{}', 'TG_JSON_BOM', 0)
  rejects('{} {}', 'TG_JSON_TRAILING_DATA', 3)
  rejects('1 x', 'TG_JSON_TRAILING_DATA', 2)
  rejects('{"a":1,"a":2}', 'TG_JSON_DUPLICATE_KEY', 7)
  rejects('{"ab":1,"a\\u0062":2}', 'TG_JSON_DUPLICATE_KEY', 8)
  rejects('[[[1]]]', 'TG_JSON_TOO_DEEP', 2, { maxDepth: 2 })
  rejects('[1,2,3]', 'TG_JSON_TOO_LARGE', 4, { maxBytes: 4 })
  rejects('[1.e5]', 'TG_JSON_BAD_NUMBER', 3)
  rejects('[.5]', 'TG_JSON_BAD_NUMBER', 1)
  rejects('+1', 'TG_JSON_BAD_NUMBER', 0)
  rejects('0x1F', 'TG_JSON_BAD_NUMBER', 1)
  rejects('1e+', 'TG_JSON_BAD_NUMBER', 3)
  rejects('[1', 'TG_JSON_UNEXPECTED_END', 2)
  rejects('"abc', 'TG_JSON_UNEXPECTED_END', 0)
  rejects('', 'TG_JSON_UNEXPECTED_END', 0)
  rejects('[1 2]', 'TG_JSON_UNEXPECTED_CHAR', 3)
  rejects('{"a" 1}', 'TG_JSON_UNEXPECTED_CHAR', 5)
  rejects('[tru]', 'TG_JSON_UNEXPECTED_CHAR', 4)
})

test('line and column are 1-based; columns count code points, lines count LF', () => {
  const error = rejects('{\n  "名前": "é",\n  "x": 01\n}', 'TG_JSON_LEADING_ZERO', 27)
  assert.equal(error.line, 3)
  assert.equal(error.column, 8)
})

test('duplicate keys with many members and with escapes are found; allow keeps them as written', () => {
  const members = Array.from({ length: 40 }, (_, k) => `"k${k}":${k}`)
  rejects(`{${members.join(',')},"k7":0}`, 'TG_JSON_DUPLICATE_KEY', members.join(',').length + 2)
  rejects('{"\\/":1,"/":2}', 'TG_JSON_DUPLICATE_KEY', 8)
  const text = '{"a":1,"a":2}'
  const doc = scan(text, { duplicateKeys: 'allow' })
  assert.equal(doc.emitText(), text)
  assert.equal(doc.get('a')?.text(), '1')
  // the same key in different objects is fine
  assert.doesNotThrow(() => scan('[{"a":1},{"a":2},{"b":{"a":3}}]'))
})

test('100,000 levels of nesting give TG_JSON_TOO_DEEP, not a stack overflow', () => {
  rejects('['.repeat(100_000), 'TG_JSON_TOO_DEEP', 128)
  rejects('{"a":'.repeat(100_000), 'TG_JSON_TOO_DEEP', 128 * 5)
  rejects('['.repeat(100_000) + ']'.repeat(100_000), 'TG_JSON_TOO_DEEP', 1024, { maxDepth: 1024 })
})

test('the depth limit is exact and configurable', () => {
  assert.doesNotThrow(() => scan('['.repeat(128) + ']'.repeat(128)))
  rejects('['.repeat(129) + ']'.repeat(129), 'TG_JSON_TOO_DEEP', 128)
  const deep = '['.repeat(1024) + '1' + ']'.repeat(1024)
  const doc = scan(deep, { maxDepth: 1024 })
  assert.ok(doc.emitText() === deep)
  let value: unknown = doc.toJS()
  for (let k = 0; k < 1024; k++) value = (value as unknown[])[0]
  assert.equal(value, 1)
})

test('bad options are refused with TG_JSON_BAD_OPTION', () => {
  for (const options of [{ maxDepth: 0 }, { maxDepth: 1025 }, { maxDepth: 1.5 }, { maxBytes: -1 }, { duplicateKeys: 'first' as 'allow' }]) {
    assert.throws(() => scan('1', options), (error: unknown) => error instanceof JsonCodecError && error.code === 'TG_JSON_BAD_OPTION')
  }
})

test('lone surrogate escapes are valid syntax and pass through as written', () => {
  const text = '["\\ud800", "\\udc00x", "\\ud83d\\ude00"]'
  const doc = scan(text)
  assert.equal(doc.emitText(), text)
  assert.equal(doc.get([0])?.string(), '\ud800')
  assert.equal(doc.get([1])?.string(), '\udc00x')
  assert.equal(doc.get([2])?.string(), '😀')
})

test('a string input with a lone surrogate cannot be UTF-8 and is refused', () => {
  rejects('["ab\ud800"]', 'TG_JSON_INVALID_UTF8', 4)
})

test('the first problem in the input wins when the bytes are also bad UTF-8 later', () => {
  rejects(Buffer.from([0x5b, 0x2c, 0x22, 0xff, 0x22, 0x5d]), 'TG_JSON_UNEXPECTED_CHAR', 1)
  rejects(Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x2c, 0x5d]), 'TG_JSON_INVALID_UTF8', 2)
})

test('all whitespace forms, scalars at the root and every simple escape are accepted', () => {
  for (const text of [' \t\r\n1 \t\r\n', 'true', 'false', 'null', '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u0041"', '-0', '0.0e-0', '1E+2', '[]', '{}', '[ ]', '{ }']) {
    const doc = scan(text)
    assert.equal(doc.emitText(), text)
    assert.equal(doc.emit(), doc.bytes)
  }
})

test('a Uint8Array (not a Buffer) is read in place and returned as is', () => {
  const bytes = new TextEncoder().encode('{"a":[1,2]}')
  const doc = scan(bytes)
  assert.equal(doc.emit(), bytes)
  assert.equal(doc.get(['a', 1])?.text(), '2')
})
