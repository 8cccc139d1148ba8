import { test } from 'node:test'
import assert from 'node:assert/strict'
import { SecondCounts } from './second-counts.js'

void test('counts per second, summed over a window that moves in 1 s steps', () => {
  const counts = new SecondCounts()
  counts.add(0, 1, 2)
  counts.add(999, 1, 0)
  counts.add(1_000, 5, 5)
  counts.add(9_500, 1, 1)
  assert.deepEqual([counts.sumFirst(9_999, 10), counts.sumSecond(9_999, 10)], [8, 8])
  assert.deepEqual([counts.sumFirst(10_000, 10), counts.sumSecond(10_000, 10)], [6, 6], 'second 0 left the window')
  assert.equal(counts.sumFirst(9_999, 1), 1)
})

void test('a slot is reused when its second comes round again: no count from a minute ago survives', () => {
  const counts = new SecondCounts()
  counts.add(3_000, 7, 7)
  counts.add(63_000, 1, 0)
  assert.equal(counts.sumFirst(63_000, 60), 1)
  assert.equal(counts.sumSecond(63_000, 60), 0)
})

void test('clear forgets every count; negative clock readings work', () => {
  const counts = new SecondCounts()
  counts.add(-1_500, 2, 2)
  assert.equal(counts.sumFirst(-1_500, 1), 2)
  counts.clear()
  assert.equal(counts.sumFirst(-1_500, 1), 0)
})
