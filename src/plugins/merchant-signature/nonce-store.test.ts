import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LocalNonceStores, LruNonceStore } from './nonce-store.js'

void test('a new nonce is remembered; the same one again before its expiry is a replay', () => {
  const store = new LruNonceStore(1000)
  assert.equal(store.remember('a', 2000, 1000), true)
  assert.equal(store.remember('a', 2500, 1999), false)
  assert.equal(store.remember('b', 2000, 1999), true)
})

void test('a nonce past its expiry may be used again (the timestamp window refuses it first in practice)', () => {
  const store = new LruNonceStore(1000)
  assert.equal(store.remember('a', 2000, 1000), true)
  assert.equal(store.remember('a', 3000, 2000), true)
  assert.equal(store.remember('a', 3000, 2999), false)
})

void test('past its capacity the store forgets the oldest nonce first', () => {
  const store = new LruNonceStore(3)
  for (const key of ['a', 'b', 'c', 'd']) assert.equal(store.remember(key, 10_000, 0), true)
  assert.equal(store.size, 3)
  assert.equal(store.remember('a', 10_000, 1), true, 'a was pushed out')
  assert.equal(store.remember('d', 10_000, 1), false)
})

void test('a replay does not refresh an entry', () => {
  const store = new LruNonceStore(2)
  store.remember('a', 10_000, 0)
  store.remember('b', 10_000, 0)
  assert.equal(store.remember('a', 10_000, 1), false)
  store.remember('c', 10_000, 1)
  assert.equal(store.remember('a', 10_000, 2), true, 'a stayed the oldest and went first')
})

void test('a bad capacity throws naming the option', () => {
  assert.throws(() => new LruNonceStore(0), /capacity/)
  assert.throws(() => new LruNonceStore(1.5), /capacity/)
})

void test('local stores are shared by capacity and dropped when the last holder releases', () => {
  const stores = new LocalNonceStores()
  const a = stores.acquire(1000)
  assert.equal(stores.acquire(1000), a)
  assert.notEqual(stores.acquire(2000), a)
  assert.equal(stores.count, 2)
  stores.release(1000)
  assert.equal(stores.acquire(1000), a, 'still held once, so the same store')
  stores.release(1000)
  stores.release(1000)
  stores.release(2000)
  assert.equal(stores.count, 0)
  stores.release(3000)
})
