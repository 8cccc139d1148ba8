import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createLocalPolicy, localPolicyStats } from './local.js'
import { fixedLengthClock } from './windows.js'

// This file runs in its own process, so the module-level tables start empty here.

const WINDOW_MS = 10_000

function policy (scope: string, nowMs: number, sliding = false) {
  return createLocalPolicy({ limits: [{ limit: 5, clock: fixedLengthClock(WINDOW_MS), sliding }], scope, nowMs })
}

void test('keys idle for two windows are swept on the first request of a later window', () => {
  const p = policy('sweep', 0)
  for (let i = 0; i < 100; i++) p.take(`key-${i}`, 1000)
  assert.equal(localPolicyStats().keys, 100)
  p.take('key-0', WINDOW_MS + 1) // the next window: the previous counts still matter
  assert.equal(localPolicyStats().keys, 100)
  p.take('key-0', 2 * WINDOW_MS + 1) // two windows on: only the key still in use remains
  assert.equal(localPolicyStats().keys, 1)
  p.release()
})

void test('a released table with counts stays until they expire, then goes on the next build', () => {
  const first = policy('released', 100 * WINDOW_MS)
  first.take('k', 100 * WINDOW_MS)
  first.release()
  assert.equal(localPolicyStats().tables, 1)
  const other = policy('unrelated', 101 * WINDOW_MS + 1)
  assert.equal(localPolicyStats().tables, 2, 'still within the previous window: kept')
  other.release()
  policy('unrelated', 102 * WINDOW_MS).release()
  assert.equal(localPolicyStats().tables, 0)
})

void test('a table comes back with its counts when its scope is built again before they expire', () => {
  const first = policy('again', 200 * WINDOW_MS)
  for (let i = 0; i < 5; i++) first.take('k', 200 * WINDOW_MS)
  first.release()
  const second = policy('again', 200 * WINDOW_MS + 10)
  assert.equal(second.take('k', 200 * WINDOW_MS + 10).allowed, false)
  second.release()
})

void test('release is idempotent: a table held twice survives one double release', () => {
  const a = policy('held', 300 * WINDOW_MS)
  const b = policy('held', 300 * WINDOW_MS)
  a.take('k', 300 * WINDOW_MS)
  a.release()
  a.release()
  assert.equal(b.take('k', 300 * WINDOW_MS).remaining, 3)
  b.release()
})

void test('a clock that steps back keeps counting in the newest window', () => {
  const p = policy('backwards', 400 * WINDOW_MS, true)
  p.take('k', 401 * WINDOW_MS)
  const outcome = p.take('k', 400 * WINDOW_MS + 5)
  assert.deepEqual([outcome.allowed, outcome.remaining], [true, 3])
  p.release()
})
