// The cluster policy's fallback against the real Redis behind a fault proxy: a worker cut off from
// Redis mid-window admits only its share of what the cluster had left, and what it admitted meanwhile
// is charged to the Redis counter once Redis answers again, so the window's total stays the limit.
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { after, before, describe, it } from 'node:test'
import { FaultProxy } from '../../../../test/support/fault-proxy.js'
import { recordingLogger } from '../../../../test/support/plugin-context.js'
import { openTestRedis, waitFor, type TestRedis } from '../../../../test/support/redis-handle.js'
import { REDIS, skipUnlessReachable } from '../../../../test/support/services.js'
import { createClusterPolicy } from './cluster.js'
import type { RateLimitPolicy } from './policy.js'
import { clockFor } from './windows.js'

const LIMIT = 100
// Mid-hour, so the hourly window cannot roll over while the test runs.
const BASE_MS = Date.UTC(2030, 0, 1, 12, 30)

describe('cluster policy fallback', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-rlf-${randomBytes(4).toString('hex')}:`
  let proxy: FaultProxy
  let redis: TestRedis
  let policy: RateLimitPolicy

  before(async () => {
    proxy = await FaultProxy.start(REDIS)
    redis = await openTestRedis({ host: proxy.host, port: proxy.port }, prefix)
    policy = createClusterPolicy({
      limits: [{ limit: LIMIT, clock: clockFor('hour'), sliding: false }],
      scope: `fallback-test-${prefix}`,
      nowMs: BASE_MS,
      redis: redis.handle,
      log: recordingLogger(),
      onDrain: () => () => {}
    })
  })

  after(async () => {
    policy.release()
    await proxy.setMode({ kind: 'pass' })
    await waitFor(() => redis.handle.ready(), 'redis back for clean-up')
    await redis.close()
    await proxy.close()
  })

  async function admitted (count: number, nowMs: number): Promise<number> {
    let allowed = 0
    for (let i = 0; i < count; i++) if ((await policy.take('k', nowMs)).allowed) allowed++
    return allowed
  }

  it('admits only the share of what was left, and charges it to Redis once it answers again', async () => {
    assert.equal(await admitted(30, BASE_MS), 30, 'leased while Redis answers')

    await proxy.setMode({ kind: 'refuse' })
    proxy.cutAll()
    await waitFor(() => !redis.handle.ready(), 'the connection to drop')
    // One worker alive: its share of what the cluster had left is all of it, never the limit again.
    const duringOutage = await admitted(2 * LIMIT, BASE_MS + 1000)
    assert.equal(30 + duringOutage, LIMIT, `admitted ${duringOutage} more while Redis was unreachable`)

    await proxy.setMode({ kind: 'pass' })
    await waitFor(() => redis.handle.ready(), 'redis to be reachable again')
    const afterOutage = await policy.take('k', BASE_MS + 5000)
    assert.equal(afterOutage.allowed, false, 'the counter knows of the fallback admissions')
    const counters = await redis.handle.client.keys(`${prefix}rl:*:0:*`)
    assert.equal(counters.length, 1)
    assert.equal(Number(await redis.handle.client.get(counters[0] as string)), LIMIT)
  })
})
