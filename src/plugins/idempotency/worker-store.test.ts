import assert from 'node:assert/strict'
import { test } from 'node:test'
import { statusMatcher } from './statuses.js'
import { WorkerStore } from './worker-store.js'

const RESPONSE = { status: 201, headers: ['content-type', 'application/json'], body: Buffer.from('{"id":1}') }

void test('a key is taken once; a duplicate sees the lock, then the stored response', async () => {
  const store = new WorkerStore(1 << 20)
  assert.deepEqual(await store.begin('k', 'fp', 't1', 1000), { kind: 'acquired' })
  assert.deepEqual(await store.begin('k', 'fp2', 't2', 1000), { kind: 'in-flight', fingerprint: 'fp' })
  await store.complete('k', 'fp', 't1', RESPONSE, 60_000)
  assert.deepEqual(await store.begin('k', 'fp', 't3', 1000), { kind: 'done', fingerprint: 'fp', response: RESPONSE })
})

void test('only the holder completes or releases a key', async () => {
  const store = new WorkerStore(1 << 20)
  await store.begin('k', 'fp', 't1', 1000)
  await store.release('k', 'fp', 'other')
  await store.complete('k', 'fp', 'other', RESPONSE, 60_000)
  assert.equal((await store.begin('k', 'fp', 't2', 1000)).kind, 'in-flight')
  await store.release('k', 'fp', 't1')
  assert.equal((await store.begin('k', 'fp', 't2', 1000)).kind, 'acquired')
})

void test('locks and responses expire after their TTL (fake clock)', async () => {
  let now = 1000
  const store = new WorkerStore(1 << 20, () => now)
  await store.begin('k', 'fp', 't1', 500)
  now += 501
  assert.equal((await store.begin('k', 'fp', 't2', 500)).kind, 'acquired')
  await store.complete('k', 'fp', 't2', RESPONSE, 10_000)
  now += 9_999
  assert.equal((await store.begin('k', 'fp', 't3', 500)).kind, 'done')
  now += 2
  assert.equal((await store.begin('k', 'fp', 't3', 500)).kind, 'acquired')
})

void test('status matcher: classes and codes, minus skipped ones', () => {
  const stores = statusMatcher(['2xx', '4xx', '503'], [409, 429])
  assert.deepEqual([200, 201, 400, 409, 429, 500, 503, 302].map(stores), [true, true, true, false, false, false, true, false])
})
