// Property tests over generated documents (seeded, so a failure names a reproducible seed).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { isUtf8 } from 'node:buffer'
import { JsonNumber, JsonSyntaxError, rawJson, scan, type JsonValue } from './index.js'

/** mulberry32: small seeded PRNG. */
function random (seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Rand = () => number
const pick = <T>(rand: Rand, items: readonly T[]): T => items[Math.floor(rand() * items.length)] as T

const WS = ['', '', '', ' ', '\n', '\t', '\r\n', '  \n    ']
const PIECES = ['a', 'Z', '0', ' ', '/', '测试', 'é', '😀', '\u007f', '\\"', '\\\\', '\\/', '\\b', '\\f', '\\n', '\\r', '\\t',
  '\\u0000', '\\u00e9', '\\u00E9', '\\ud83d\\ude00', '\\uD83D\\uDE00', '\\ud800', '\\udfff', '\\u2028', '<', '\u2028']

function genString (rand: Rand): string {
  let out = '"'
  const n = Math.floor(rand() * 6)
  for (let k = 0; k < n; k++) out += pick(rand, PIECES)
  return out + '"'
}

function digits (rand: Rand, count: number): string {
  let out = ''
  for (let k = 0; k < count; k++) out += String(Math.floor(rand() * 10))
  return out
}

function genNumber (rand: Rand): string {
  const special = ['-0', '0', '0.0', '1.0', '1E+2', '1e-2', '9007199254740993', '18446744073709551617', '-9223372036854775809', '1e400', '1.000000000000000005']
  if (rand() < 0.3) return pick(rand, special)
  let out = rand() < 0.3 ? '-' : ''
  out += rand() < 0.2 ? '0' : String(1 + Math.floor(rand() * 9)) + digits(rand, Math.floor(rand() * 25))
  if (rand() < 0.3) out += '.' + digits(rand, 1 + Math.floor(rand() * 5))
  if (rand() < 0.2) out += pick(rand, ['e', 'E']) + pick(rand, ['', '+', '-']) + digits(rand, 1 + Math.floor(rand() * 3))
  return out
}

function genValue (rand: Rand, depth: number): string {
  const roll = rand()
  if (depth > 0 && roll < 0.2) {
    const n = Math.floor(rand() * 5)
    const members: string[] = []
    for (let k = 0; k < n; k++) {
      const key = genString(rand).slice(0, -1) + `#${k}"`
      members.push(pick(rand, WS) + key + pick(rand, WS) + ':' + pick(rand, WS) + genValue(rand, depth - 1) + pick(rand, WS))
    }
    return '{' + (n === 0 ? pick(rand, WS) : members.join(',')) + '}'
  }
  if (depth > 0 && roll < 0.4) {
    const n = Math.floor(rand() * 5)
    const elements: string[] = []
    for (let k = 0; k < n; k++) elements.push(pick(rand, WS) + genValue(rand, depth - 1) + pick(rand, WS))
    return '[' + (n === 0 ? pick(rand, WS) : elements.join(',')) + ']'
  }
  if (roll < 0.65) return genString(rand)
  if (roll < 0.9) return genNumber(rand)
  return pick(rand, ['true', 'false', 'null'])
}

function genDocument (rand: Rand): string {
  return pick(rand, WS) + genValue(rand, 1 + Math.floor(rand() * 6)) + pick(rand, WS)
}

/** Every value under `value` with its path and byte range. */
function walk (value: JsonValue, path: Array<string | number>, out: Array<{ path: Array<string | number>, start: number, end: number }>): void {
  out.push({ path, start: value.start, end: value.end })
  if (value.kind === 'object') for (const [key, member] of value.entries()) walk(member, [...path, key], out)
  if (value.kind === 'array') value.elements().forEach((element, k) => walk(element, [...path, k], out))
}

/** toJS() output with exact numbers turned into doubles, to compare with JSON.parse. */
function asDoubles (value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value)
  if (value instanceof JsonNumber) return value.toNumber()
  if (Array.isArray(value)) return value.map(asDoubles)
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, asDoubles(v)]))
  return value
}

const DOCUMENTS = 400

test('emit(scan(A)) is A, byte for byte, and toJS agrees with JSON.parse', () => {
  const rand = random(4)
  for (let n = 0; n < DOCUMENTS; n++) {
    const text = genDocument(rand)
    const bytes = Buffer.from(text)
    const doc = scan(bytes)
    assert.equal(doc.emit(), bytes)
    assert.ok(scan(text).emitText() === text)
    assert.deepEqual(asDoubles(doc.toJS()), JSON.parse(text), text)
    const compact = doc.emit({ compact: true })
    assert.deepEqual(scan(compact).toJS(), doc.toJS(), text)
    // reference: drop whitespace outside strings with a tokenising regex, independent of the codec
    const stripped = text.replace(/"(?:[^"\\]|\\.)*"|[ \t\n\r]+/g, (token) => token.startsWith('"') ? token : '')
    assert.equal(Buffer.from(compact).toString(), stripped)
  }
})

test('setting one path changes only its bytes, and the new value reads back exactly', () => {
  const rand = random(44)
  for (let n = 0; n < DOCUMENTS; n++) {
    const text = genDocument(rand)
    const doc = scan(text)
    const targets: Array<{ path: Array<string | number>, start: number, end: number }> = []
    walk(doc.root, [], targets)
    const target = pick(rand, targets)
    const asRaw = rand() < 0.5
    const newText = asRaw ? genValue(rand, 2) : JSON.stringify({ url: 'https://a/b', n: Math.floor(rand() * 1000), s: ['测', '😀', '\n'] })
    doc.set(target.path, asRaw ? rawJson(newText) : JSON.parse(newText) as never)
    const bytes = Buffer.from(text)
    const expected = Buffer.concat([bytes.subarray(0, target.start), Buffer.from(target.path.length === 0 ? newText.trim() : newText), bytes.subarray(target.end)])
    const out = Buffer.from(doc.emit())
    assert.ok(out.equals(expected), `seed 44 document ${n}: ${text} set ${JSON.stringify(target.path)}`)
    assert.equal(doc.get(target.path)?.text(), newText.trim())
    assert.equal(scan(out).get(target.path)?.text(), newText.trim())
  }
})

test('deleting one member gives the same value as deleting it from JSON.parse output', () => {
  const rand = random(444)
  for (let n = 0; n < DOCUMENTS; n++) {
    const text = genDocument(rand)
    const doc = scan(text)
    const targets: Array<{ path: Array<string | number>, start: number, end: number }> = []
    walk(doc.root, [], targets)
    const candidates = targets.filter((t) => t.path.length > 0)
    if (candidates.length === 0) continue
    const target = pick(rand, candidates)
    const expected = JSON.parse(text) as Record<string | number, unknown>
    let parent: Record<string | number, unknown> = expected
    for (const step of target.path.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>
    const last = target.path[target.path.length - 1] as string | number
    if (Array.isArray(parent)) parent.splice(last as number, 1)
    else delete parent[last]
    assert.equal(doc.delete(target.path), true)
    assert.deepEqual(asDoubles(scan(doc.emit()).toJS()), expected, `${text} delete ${JSON.stringify(target.path)}`)
  }
})

test('mutated documents: never a crash, and the verdict matches JSON.parse where RFC 8259 agrees', () => {
  const rand = random(4444)
  const ALPHABET = Buffer.from('{}[],:"\\ \n01-+.eEtrufalsn/\'x\u0001')
  for (let n = 0; n < 2000; n++) {
    const bytes = Buffer.from(genDocument(rand))
    const mutations = 1 + Math.floor(rand() * 3)
    for (let m = 0; m < mutations; m++) {
      const at = Math.floor(rand() * (bytes.length + 1))
      if (at < bytes.length) bytes[at] = rand() < 0.1 ? Math.floor(rand() * 256) : (ALPHABET[Math.floor(rand() * ALPHABET.length)] as number)
    }
    let verdict = 'accept'
    try {
      const doc = scan(bytes)
      assert.equal(doc.emit(), bytes)
    } catch (error) {
      assert.ok(error instanceof JsonSyntaxError, `unexpected ${String(error)}`)
      verdict = error.code
    }
    if (!isUtf8(bytes) || verdict === 'TG_JSON_DUPLICATE_KEY') continue
    let native = 'accept'
    try { JSON.parse(bytes.toString()) } catch { native = 'reject' }
    assert.equal(verdict === 'accept' ? 'accept' : 'reject', native, bytes.toString())
  }
})
