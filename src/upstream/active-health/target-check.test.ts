import assert from 'node:assert/strict'
import { test } from 'node:test'
import { TargetCheck } from './target-check.js'

void test('down after unhealthy_threshold failures in a row, back after healthy_threshold successes', () => {
  const check = new TargetCheck({ healthyThreshold: 2, unhealthyThreshold: 3 })
  assert.equal(check.record('status 503', 1), false)
  assert.equal(check.record(undefined, 2), false) // a success breaks the run
  assert.equal(check.record('status 503', 3), false)
  assert.equal(check.record('ECONNREFUSED', 4), false)
  assert.equal(check.record('ECONNREFUSED', 5), true)
  assert.equal(check.healthy, false)
  assert.equal(check.record(undefined, 6), false)
  assert.equal(check.record(undefined, 7), true)
  assert.equal(check.healthy, true)
  assert.deepEqual(check.report(), { healthy: true, consecutive_successes: 2, consecutive_failures: 0, last_check_at: new Date(7).toISOString(), last_error: null })
})

void test('the report names the last error and counts failures', () => {
  const check = new TargetCheck({ healthyThreshold: 1, unhealthyThreshold: 1 })
  assert.equal(check.report().last_check_at, null)
  check.record('no answer in 100 ms', 10)
  assert.deepEqual(check.report(), { healthy: false, consecutive_successes: 0, consecutive_failures: 1, last_check_at: new Date(10).toISOString(), last_error: 'no answer in 100 ms' })
})
