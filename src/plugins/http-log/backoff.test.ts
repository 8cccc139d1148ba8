import { test } from 'node:test'
import assert from 'node:assert/strict'
import { batchBody } from './batch-body.js'
import { retryDelayMs } from './backoff.js'

void test('the backoff doubles per retry, jittered between half and all of the planned wait', () => {
  assert.deepEqual([1, 2, 3, 4].map((retry) => retryDelayMs(retry, 100, 10_000, () => 0)), [50, 100, 200, 400])
  assert.deepEqual([1, 2, 3, 4].map((retry) => retryDelayMs(retry, 100, 10_000, () => 0.999999)), [100, 200, 400, 800])
})

void test('the backoff never exceeds retry_max_ms, however many retries', () => {
  assert.equal(retryDelayMs(8, 100, 1000, () => 0.999999), 1000)
  assert.equal(retryDelayMs(500, 100, 1000, () => 0), 500)
})

void test('json-lines keeps the records as lines; json-array makes one JSON array', () => {
  const records = ['{"a":1}\n', '{"b":"x\\ny"}\n']
  assert.equal(batchBody(records, 'json-lines').toString(), '{"a":1}\n{"b":"x\\ny"}\n')
  assert.deepEqual(JSON.parse(batchBody(records, 'json-array').toString()), [{ a: 1 }, { b: 'x\ny' }])
})
