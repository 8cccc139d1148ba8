// The cluster policy against the real Redis: tokens are leased ahead under steady load; and behind a
// fault proxy, a worker cut off from Redis mid-window admits only its share of what the cluster had
// left, and what it admitted meanwhile is charged to the Redis counter once Redis answers again, so
// the window's total stays the limit.
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

/** A cluster policy with one hourly fixed-window limit on `redis`. */
function hourlyPolicy (redis: TestRedis, limit: number, scope: string): RateLimitPolicy {
  return createClusterPolicy({
    limits: [{ limit, clock: clockFor('hour'), sliding: false }],
    scope,
    nowMs: BASE_MS,
    redis: redis.handle,
    log: recordingLogger(),
    onDrain: () => () => {}
  })
}

describe('cluster policy fallback', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-rlf-${randomBytes(4).toString('hex')}:`
  let proxy: FaultProxy
  let redis: TestRedis
  let policy: RateLimitPolicy

  before(async () => {
    proxy = await FaultProxy.start(REDIS)
    redis = await openTestRedis({ host: proxy.host, port: proxy.port }, prefix)
    policy = hourlyPolicy(redis, LIMIT, `fallback-test-${prefix}`)
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

describe('cluster policy leasing ahead', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const prefix = `tg-test-rla-${randomBytes(4).toString('hex')}:`
  let redis: TestRedis
  let policy: RateLimitPolicy

  before(async () => {
    redis = await openTestRedis(REDIS, prefix)
    policy = hourlyPolicy(redis, 1_000_000, `ahead-test-${prefix}`)
  })

  after(async () => {
    policy.release()
    await redis.close()
  })

  it('asks for the next lease while tokens remain, so a steady key never waits for Redis', async () => {
    const TAKES = 600 // six leases of 100: without leasing ahead, six requests would wait
    let waited = 0
    for (let i = 0; i < TAKES; i++) {
      const outcome = policy.take('steady', BASE_MS)
      if (outcome instanceof Promise) waited++
      assert.equal((await outcome).allowed, true)
      // Lets Redis answer between requests, as requests spread over time would.
      await new Promise((resolve) => setTimeout(resolve, 1))
    }
    assert.ok(waited <= 2, `${waited} of ${TAKES} requests waited for a lease`)
    const counters = await redis.handle.client.keys(`${prefix}rl:*:0:*`)
    const handedOut = Number(await redis.handle.client.get(counters[0] as string))
    assert.ok(handedOut >= TAKES && handedOut <= TAKES + 200, `${handedOut} tokens handed out for ${TAKES} requests`)
  })
})
