import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { JsonSyntaxError, SizeGuard, readBody, scan } from './index.js'

test('readBody returns the whole body under the limit', async () => {
  const body = await readBody(Readable.from([Buffer.from('{"a":'), Buffer.from('1}')]), { maxBytes: 7 })
  assert.equal(scan(body).get('a')?.text(), '1')
})

test('readBody stops at the first chunk over the limit and destroys the stream', async () => {
  let pulled = 0
  const endless = new Readable({
    read () { pulled++; this.push(Buffer.alloc(1024, 0x20)) }
  })
  await assert.rejects(readBody(endless, { maxBytes: 10_000 }), (error: unknown) => {
    return error instanceof JsonSyntaxError && error.code === 'TG_JSON_TOO_LARGE' && error.offset === 10_000
  })
  assert.ok(pulled < 64, `read ${pulled} chunks`)
  assert.equal(endless.destroyed, true)
})

test('a declared length over the limit is refused before reading', async () => {
  let read = false
  const source = (async function * () { read = true; yield Buffer.from('1') })()
  await assert.rejects(readBody(source, { maxBytes: 10, declaredLength: '11' }), { code: 'TG_JSON_TOO_LARGE' })
  assert.equal(read, false)
})

test('SizeGuard counts bytes and keeps nothing after the limit', () => {
  const guard = new SizeGuard(4)
  guard.push(Buffer.from('ab'))
  guard.push(Buffer.from('cd'))
  assert.equal(guard.bytesSeen, 4)
  assert.equal(guard.concat().toString(), 'abcd')
  assert.throws(() => guard.push(Buffer.from('e')), { code: 'TG_JSON_TOO_LARGE' })
  assert.throws(() => new SizeGuard(0), RangeError)
})
