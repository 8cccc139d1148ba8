import assert from 'node:assert/strict'
import { createRequire } from 'node:module'
import { test } from 'node:test'
import { checkFastH1 } from './availability.js'
import type { HttpParserClass } from './llhttp-binding.js'

const nodeRequire = createRequire(import.meta.url)
const common = nodeRequire('_http_common') as { HTTPParser: HttpParserClass, methods: string[] }

/** A parser that is lenient about everything, as a Node build with a weakened llhttp would be. */
function lenientCommon (): unknown {
  const Strict = common.HTTPParser as unknown as new () => { initialize (type: number, resource: object, max: number, lenient: number): void }
  class Lenient extends Strict {
    override initialize (type: number, resource: object, max: number): void {
      super.initialize(type, resource, max, 1023 /* kLenientAll */)
    }
  }
  return { HTTPParser: Lenient, methods: common.methods }
}

void test('the Node this runs on passes the framing self-test', () => {
  const result = checkFastH1()
  assert.ok(!('reason' in result), JSON.stringify(result))
})

void test('a missing internal module makes fast-h1 unavailable, with the reason', () => {
  const result = checkFastH1(() => { throw new Error("Cannot find module '_http_common'") })
  assert.ok('reason' in result)
  assert.equal(result.reason, 'module-missing')
  assert.match(result.detail, /_http_common/)
})

void test('a module without a usable parser is treated as missing', () => {
  const result = checkFastH1(() => ({ methods: [] }))
  assert.ok('reason' in result)
  assert.equal(result.reason, 'module-missing')
})

void test('a parser that accepts a framing attack fails the self-test and names the attack', () => {
  const result = checkFastH1(() => lenientCommon())
  assert.ok('reason' in result)
  assert.equal(result.reason, 'self-test-failed')
  assert.match(result.detail, /expected \{"refuse":true\}/)
})

void test('a parser that refuses everything fails the self-test on the valid controls', () => {
  const Strict = common.HTTPParser as unknown as new () => { execute (data: Buffer): unknown }
  class Refusing extends Strict {
    override execute (): unknown {
      return Object.assign(new Error('Parse Error'), { code: 'HPE_INVALID_METHOD', bytesParsed: 0 })
    }
  }
  const result = checkFastH1(() => ({ HTTPParser: Refusing, methods: common.methods }))
  assert.ok('reason' in result)
  assert.equal(result.reason, 'self-test-failed')
  assert.match(result.detail, /^valid /)
})
