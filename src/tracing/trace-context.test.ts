import assert from 'node:assert/strict'
import { test } from 'node:test'
import { decideTrace, formatTraceparent, isSampled, newSpanId, newTraceId, parseTraceparent } from './trace-context.js'

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736'
const PARENT = '00f067aa0ba902b7'

void test('a version 00 traceparent is parsed into trace id, parent id and flags', () => {
  assert.deepEqual(parseTraceparent(`00-${TRACE}-${PARENT}-01`), { traceId: TRACE, parentId: PARENT, flags: '01' })
})

void test('invalid traceparents are refused', () => {
  const invalid = [
    '',
    `00-${TRACE}-${PARENT}-1`,
    `00-${TRACE}-${PARENT}-01-extra`, // version 00 is exactly 55 characters
    `ff-${TRACE}-${PARENT}-01`,
    `00-${TRACE.toUpperCase()}-${PARENT}-01`,
    `00-${'0'.repeat(32)}-${PARENT}-01`,
    `00-${TRACE}-${'0'.repeat(16)}-01`,
    `00_${TRACE}-${PARENT}-01`,
    `0g-${TRACE}-${PARENT}-01`,
    `00-${TRACE}-${PARENT}-zz`
  ]
  for (const header of invalid) assert.equal(parseTraceparent(header), undefined, header)
})

void test('a later version is accepted with extra fields after a dash, not glued ones', () => {
  assert.deepEqual(parseTraceparent(`01-${TRACE}-${PARENT}-00-future`), { traceId: TRACE, parentId: PARENT, flags: '00' })
  assert.equal(parseTraceparent(`01-${TRACE}-${PARENT}-00future`), undefined)
})

void test('a trusted valid header is continued with a new span id and its tracestate', () => {
  const trace = decideTrace(`00-${TRACE}-${PARENT}-00`, 'a=1', true)
  assert.equal(trace.traceId, TRACE)
  assert.equal(trace.parentSpanId, PARENT)
  assert.notEqual(trace.spanId, PARENT)
  assert.equal(trace.state, 'a=1')
  assert.equal(isSampled(trace), false)
  assert.equal(formatTraceparent(trace), `00-${TRACE}-${trace.spanId}-00`)
})

void test('an untrusted or invalid header starts a new sampled trace without tracestate', () => {
  for (const trace of [decideTrace(`00-${TRACE}-${PARENT}-01`, 'a=1', false), decideTrace('garbage', 'a=1', true), decideTrace(undefined, undefined, true)]) {
    assert.notEqual(trace.traceId, TRACE)
    assert.equal(trace.parentSpanId, undefined)
    assert.equal(trace.state, undefined)
    assert.equal(isSampled(trace), true)
    assert.ok(parseTraceparent(formatTraceparent(trace)) !== undefined)
  }
})

void test('generated ids are lower-case hex of the right length and differ', () => {
  const ids = new Set<string>()
  for (let i = 0; i < 1000; i++) {
    const trace = newTraceId()
    const span = newSpanId()
    assert.match(trace, /^[0-9a-f]{32}$/)
    assert.match(span, /^[0-9a-f]{16}$/)
    ids.add(trace)
  }
  assert.equal(ids.size, 1000)
})
