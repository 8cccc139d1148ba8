import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RestartBackoff } from './restart-backoff.js'

describe('worker restart back-off', () => {
  it('doubles per crash in a row up to the maximum', () => {
    const backoff = new RestartBackoff(100, 1000)
    assert.deepEqual([0, 0, 0, 0, 0, 0].map((lived) => backoff.nextDelayMs(lived)), [100, 200, 400, 800, 1000, 1000])
  })

  it('starts again from the initial delay after a worker lived long enough', () => {
    const backoff = new RestartBackoff(100, 10_000, 5_000)
    backoff.nextDelayMs(0)
    backoff.nextDelayMs(0)
    assert.equal(backoff.nextDelayMs(6_000), 100)
  })
})
