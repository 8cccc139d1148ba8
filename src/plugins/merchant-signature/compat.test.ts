import { test } from 'node:test'
import assert from 'node:assert/strict'
import { collectCompatParams, isFormBody, parseCompatTimestamp } from './compat.js'

void test('a GMT+8 wall-clock timestamp is read at the configured offset', () => {
  assert.equal(parseCompatTimestamp('2023-11-15 06:13:20', 480), 1_700_000_000_000)
  assert.equal(parseCompatTimestamp('2023-11-14 22:13:20', 0), 1_700_000_000_000)
  assert.equal(parseCompatTimestamp('2023-11-14 17:13:20', -300), 1_700_000_000_000)
})

void test('plain digits are epoch milliseconds', () => {
  assert.equal(parseCompatTimestamp('1700000000000', 480), 1_700_000_000_000)
})

void test('anything else, or a date that does not exist, is NaN', () => {
  for (const text of ['2023-02-29 00:00:00', '2023-13-01 00:00:00', '2023-11-15 24:00:00', '2023-11-15T06:13:20', '2023-11-15 06:13', '17000', 'soon', '']) {
    assert.ok(Number.isNaN(parseCompatTimestamp(text, 480)), text)
  }
  assert.equal(parseCompatTimestamp('2024-02-29 00:00:00', 0), Date.UTC(2024, 1, 29))
})

void test('query and form body parameters are collected decoded', () => {
  const collected = collectCompatParams('a=1&b=x+y', 'c=%C3%A9&d')
  assert.deepEqual(collected.ok && [...collected.params], [['a', '1'], ['b', 'x y'], ['c', 'é'], ['d', '']])
})

void test('a name sent twice is reported, also across query and body', () => {
  assert.deepEqual(collectCompatParams('a=1&a=2', undefined), { ok: false, duplicate: 'a' })
  assert.deepEqual(collectCompatParams('a=1', 'b=2&a=1'), { ok: false, duplicate: 'a' })
})

void test('form bodies are recognised by content type, parameters and case aside', () => {
  assert.equal(isFormBody('application/x-www-form-urlencoded'), true)
  assert.equal(isFormBody('Application/X-WWW-Form-Urlencoded; charset=UTF-8'), true)
  assert.equal(isFormBody('application/json'), false)
  assert.equal(isFormBody(undefined), false)
})
