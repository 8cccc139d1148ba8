import { test } from 'node:test'
import assert from 'node:assert/strict'
import { RetryBudget } from './retry-budget.js'

/** Retries granted out of `tries` at `nowMs`. */
function grant (budget: RetryBudget, nowMs: number, tries: number): number {
  let granted = 0
  for (let i = 0; i < tries; i++) if (budget.tryRetry(nowMs)) granted++
  return granted
}

void test('retries are capped at 20 % of the requests of the last 10 s plus 10 per second', () => {
  const budget = new RetryBudget(20, 10)
  for (let i = 0; i < 1000; i++) budget.onRequest(5_000)
  // 1000 · 20 % + 10/s · 10 s = 300.
  assert.equal(grant(budget, 5_000, 1000), 300)
  assert.equal(budget.refused, 700)
})

void test('the floor lets a quiet service retry: 10 per second over 10 s', () => {
  const budget = new RetryBudget(20, 10)
  assert.equal(grant(budget, 0, 500), 100)
})

void test('retries and requests older than 10 s leave the budget', () => {
  const budget = new RetryBudget(0, 1)
  assert.equal(grant(budget, 0, 50), 10)
  assert.equal(grant(budget, 9_999, 5), 0)
  assert.equal(grant(budget, 10_000, 5), 5, 'the retries of second 0 left the window')
})

void test('a budget of 0 % and 0 per second allows no retry', () => {
  const budget = new RetryBudget(0, 0)
  for (let i = 0; i < 100; i++) budget.onRequest(0)
  assert.equal(grant(budget, 0, 10), 0)
})

void test('options out of range throw', () => {
  assert.throws(() => new RetryBudget(101, 1), /percent/)
  assert.throws(() => new RetryBudget(10, -1), /minPerSecond/)
})
