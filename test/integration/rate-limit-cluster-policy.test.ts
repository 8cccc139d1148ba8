// The cluster policy in one process against the real Redis: leases, local blocking, give-back on
// drain, and the per-node fallback when the connection is cut (fault proxy in front of Redis).
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import type { RedisHandle } from '../../src/kit/redis.js'
import type { Reply } from '../../src/kit/reply.js'
import { compileConfigValidator } from '../../src/plugins/_shared/config-validator.js'
import { createRateLimit, rateLimitSchema, clusterPolicyStats, type RateLimitState } from '../../src/plugins/rate-limit/index.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { makeContext, makeEnv, makeMerchant, recordingLogger, type TestEnv } from '../support/plugin-context.js'
import { openTestRedis, waitFor, type TestRedis } from '../support/redis-handle.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'

const PREFIX = `tg-test-rlp-${randomBytes(4).toString('hex')}:`
const plugin = createRateLimit()
const validate = compileConfigValidator(rateLimitSchema)

function compile (config: object, env: TestEnv): RateLimitState {
  const checked = validate(config)
  if (!checked.ok) throw new Error(JSON.stringify(checked.problems))
  return plugin.compile!(checked.config, env)
}

/** Runs access; returns the reply (undefined = admitted) and whether it had to wait on a promise. */
async function send (state: RateLimitState, merchantId: string): Promise<{ reply: Reply | undefined, waited: boolean }> {
  const ctx = makeContext({ merchant: makeMerchant(merchantId) })
  const result = plugin.access!(ctx, state)
  if (result instanceof Promise) return { reply: (await result) ?? undefined, waited: true }
  return { reply: result ?? undefined, waited: false }
}

describe('rate-limit cluster policy (in process)', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  let redis: TestRedis
  let handle: RedisHandle

  before(async () => {
    redis = await openTestRedis(REDIS, PREFIX)
    handle = redis.handle
  })

  after(async () => { await redis.close() })

  it('the first request of a key waits for one lease; the next ones are answered from it without Redis', async () => {
    const env = makeEnv({ redis: handle, bindingId: `b-first-${PREFIX}` })
    const state = compile({ limit: 1000, window_seconds: 3600, window: 'fixed', policy: 'cluster' }, env)
    const callsBefore = clusterPolicyStats.leaseCalls
    const first = await send(state, 'm-first')
    assert.deepEqual(first, { reply: undefined, waited: true })
    const next = await Promise.all(Array.from({ length: 20 }, () => send(state, 'm-first')))
    assert.ok(next.every((r) => r.reply === undefined && !r.waited))
    assert.equal(clusterPolicyStats.leaseCalls - callsBefore, 1, 'one lease call for 21 requests')
    plugin.destroy!(state)
  })

  it('the first request of a worker waits for its connection to open instead of falling back', async () => {
    const fresh = await openTestRedis(REDIS, PREFIX, { ready: false })
    const freshHandle = fresh.handle
    assert.ok(!freshHandle.ready(), 'still connecting')
    const env = makeEnv({ redis: freshHandle, bindingId: `b-start-${PREFIX}` })
    const state = compile({ limit: 1000, window_seconds: 3600, window: 'fixed', policy: 'cluster' }, env)
    try {
      const fallbackBefore = clusterPolicyStats.fallbackAdmitted
      const calls = clusterPolicyStats.leaseCalls
      assert.deepEqual(await send(state, 'm-start'), { reply: undefined, waited: true })
      assert.equal(clusterPolicyStats.fallbackAdmitted, fallbackBefore)
      assert.equal(clusterPolicyStats.leaseCalls - calls, 1)
    } finally {
      plugin.destroy!(state)
      await fresh.close()
    }
  })

  it('never admits more than the limit; a refused key is answered locally until its window ends', async () => {
    const env = makeEnv({ redis: handle, bindingId: `b-exact-${PREFIX}` })
    const state = compile({ limit: 57, window_seconds: 3600, window: 'fixed', policy: 'cluster' }, env)
    const started = Date.now()
    let admitted = 0
    let refusal: Reply | undefined
    for (let i = 0; i < 80; i++) {
      const { reply } = await send(state, 'm-exact')
      if (reply === undefined) admitted++
      else refusal ??= reply
    }
    if (Math.floor(started / 3_600_000) === Math.floor(Date.now() / 3_600_000)) assert.equal(admitted, 57)
    assert.equal(refusal?.code, 'TG_RATE_LIMITED')
    assert.ok(Number(refusal?.headers?.['retry-after']) >= 1)
    const calls = clusterPolicyStats.leaseCalls
    const blocked = clusterPolicyStats.refusedWhileBlocked
    for (let i = 0; i < 50; i++) assert.equal((await send(state, 'm-exact')).waited, false)
    assert.equal(clusterPolicyStats.leaseCalls, calls, 'no Redis call for a blocked key')
    assert.equal(clusterPolicyStats.refusedWhileBlocked - blocked, 50)
    plugin.destroy!(state)
  })

  it('drain gives unspent tokens back to Redis', async () => {
    const env = makeEnv({ redis: handle, bindingId: `b-drain-${PREFIX}` })
    const state = compile({ limit: 10_000, window_seconds: 3600, window: 'fixed', policy: 'cluster' }, env)
    await send(state, 'm-drain')
    const keys = await handle.client.keys(`${PREFIX}rl:{*`)
    const counts = await Promise.all(keys.map(async (key) => Number(await handle.client.get(key))))
    const leased = Math.max(...counts)
    assert.ok(leased > 1, `a batch was leased (${leased})`)
    await env.emit('drain')
    const after = await Promise.all(keys.map(async (key) => Number(await handle.client.get(key))))
    assert.ok(after.includes(1), `only the spent token stays counted: ${JSON.stringify(after)}`)
    plugin.destroy!(state)
  })

  it('with Redis cut, requests are counted by the fallback share without waiting, warned once; leasing resumes after', async () => {
    const proxy = await FaultProxy.start(REDIS)
    const log = recordingLogger()
    const cutRedis = await openTestRedis(proxy, PREFIX, { log })
    const cutHandle = cutRedis.handle
    const env = makeEnv({ redis: cutHandle, bindingId: `b-cut-${PREFIX}`, logger: log })
    const state = compile({ limit: 40, window_seconds: 3600, window: 'fixed', policy: 'cluster' }, env)
    await waitFor(() => clusterPolicyStats.liveWorkers >= 1, 'a heartbeat')
    try {
      await proxy.setMode({ kind: 'refuse' })
      proxy.cutAll()
      await waitFor(() => !cutHandle.ready(), 'the cut to be seen')
      const fallbackBefore = clusterPolicyStats.fallbackAdmitted
      const share = Math.max(1, Math.floor(40 / (clusterPolicyStats.liveNodes * clusterPolicyStats.nodeWorkers)))
      const outcomes = []
      for (let i = 0; i < share + 5; i++) outcomes.push(await send(state, 'm-cut'))
      assert.ok(outcomes.every((o) => !o.waited), 'no request waited on the dead connection')
      assert.equal(outcomes.filter((o) => o.reply === undefined).length, share)
      assert.equal(clusterPolicyStats.fallbackAdmitted - fallbackBefore, share)
      assert.equal(clusterPolicyStats.degraded, true)
      const warnings = log.records.filter((r) => r.level === 'warn' && String(r.msg).startsWith('rate-limit cluster policy: Redis unreachable'))
      assert.equal(warnings.length, 1, 'warned once for the outage')

      await proxy.setMode({ kind: 'pass' })
      await waitFor(() => cutHandle.ready(), 'the reconnect')
      const back = await send(state, 'm-other-key')
      assert.deepEqual(back, { reply: undefined, waited: true }, 'leased from Redis again')
      assert.equal(clusterPolicyStats.degraded, false)
      assert.ok(log.records.some((r) => r.level === 'warn' && String(r.msg).includes('Redis reachable again')))
    } finally {
      plugin.destroy!(state)
      await cutRedis.close()
      await proxy.close()
    }
  })
})
