// The cluster policy's lease script in isolation, against the real Redis.
import { after, before, describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { randomBytes } from 'node:crypto'
import { Redis } from 'ioredis'
import { leaseCommands, MAX_LEASE, type LeaseCommands } from '../../src/plugins/rate-limit/policies/lease-script.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'

const PREFIX = `tg-test-lease-${randomBytes(4).toString('hex')}:`

/** One fixed-window limit: keys (current, previous) and args (limit, want, weight, ttl, fallback charge). */
function single (key: string, limit: number): { keys: string[], args: number[] } {
  return { keys: [key, key + ':prev'], args: [limit, 1, 0, 60_000, 0] }
}

describe('rate-limit lease script', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  let client: Redis
  let commands: LeaseCommands

  before(async () => {
    client = new Redis({ host: REDIS.host, port: REDIS.port, lazyConnect: true })
    await client.connect()
    commands = leaseCommands(client)
  })

  after(async () => {
    const keys = await client.keys(`${PREFIX}*`)
    if (keys.length > 0) await client.del(...keys)
    client.disconnect()
  })

  async function lease (key: string, limit: number, workers: number): Promise<number[]> {
    const { keys, args } = single(key, limit)
    return commands.tgRateLease(keys.length, ...keys, 1, workers, MAX_LEASE, ...args)
  }

  it('leases clamp(floor(left / (4 · workers)), 1, 100), shrinking to 1 near the limit, then refuses', async () => {
    const key = `${PREFIX}{a}:0:1`
    const sizes: number[] = []
    for (;;) {
      const reply = await lease(key, 1000, 2)
      if (reply[0] === 0) {
        assert.deepEqual(reply, [0, 1, 1000, 0], 'refused by limit 1, with its count')
        break
      }
      sizes.push(reply[1] as number)
    }
    assert.equal(sizes.reduce((a, b) => a + b, 0), 1000, 'every token handed out, none more')
    assert.equal(sizes[0], 100, 'capped at 100 far from the limit')
    assert.deepEqual(sizes.slice(-9), [1, 1, 1, 1, 1, 1, 1, 1, 1], 'single tokens at the end')
    // each lease is at most left / (4 · workers), except the floor of 1
    let used = 0
    for (const size of sizes) {
      assert.ok(size === 1 || size <= Math.floor((1000 - used) / 8), `lease ${size} with ${1000 - used} left`)
      used += size
    }
    console.log(`lease sizes for limit 1000, 2 workers: ${sizes.length} calls: ${sizes.join(' ')}`)
  })

  it('many concurrent leasers never get more than the limit in total', async () => {
    const key = `${PREFIX}{b}:0:1`
    let granted = 0
    let calls = 0
    await Promise.all(Array.from({ length: 24 }, async () => {
      for (;;) {
        calls++
        const reply = await lease(key, 777, 24)
        if (reply[0] === 0) return
        granted += reply[1] as number
      }
    }))
    assert.equal(granted, 777)
    assert.equal(Number(await client.get(key)), 777)
    console.log(`24 concurrent leasers, limit 777: ${granted} tokens in ${calls} calls`)
  })

  it('a limit with nothing left refuses without taking from the others', async () => {
    const perSecond = `${PREFIX}{c}:0:1`
    const perMonth = `${PREFIX}{c}:1:1`
    await client.set(perMonth, '5', 'PX', 60_000)
    const keys = [perSecond, perSecond + ':prev', perMonth, perMonth + ':prev']
    const reply = await commands.tgRateLease(4, ...keys, 2, 1, MAX_LEASE, 100, 1, 0, 60_000, 0, 5, 1, 0, 60_000, 0)
    assert.deepEqual(reply, [0, 2, 5, 0])
    assert.equal(await client.get(perSecond), null, 'the per-second counter was not touched')
  })

  it('a limit that is not wanted is not leased but reports what is left', async () => {
    const a = `${PREFIX}{d}:0:1`
    const b = `${PREFIX}{d}:1:1`
    await client.set(b, '10', 'PX', 60_000)
    const reply = await commands.tgRateLease(4, a, a + ':p', b, b + ':p', 2, 1, MAX_LEASE, 40, 1, 0, 60_000, 0, 100, 0, 0, 60_000, 0)
    assert.deepEqual(reply, [1, 10, 30, 0, 90])
    assert.equal(await client.get(b), '10')
  })

  it('sliding: the previous window counts by its weight', async () => {
    const current = `${PREFIX}{e}:0:2`
    const previous = `${PREFIX}{e}:0:1`
    await client.set(previous, '80', 'PX', 60_000)
    // 100 − 0 − 80 × 0.75 = 40 left, one worker: lease floor(40 / 4) = 10
    assert.deepEqual(await commands.tgRateLease(2, current, previous, 1, 1, MAX_LEASE, 100, 1, 0.75, 60_000, 0), [1, 10, 30])
    await client.set(current, '20', 'PX', 60_000)
    // 100 − 20 − 80 = 0 left at weight 1: refused, with both counts for the wait
    assert.deepEqual(await commands.tgRateLease(2, current, previous, 1, 1, MAX_LEASE, 100, 1, 1, 60_000, 0), [0, 1, 20, 80])
  })

  it('fallback admissions are charged before leasing, also when that leaves nothing (then refused)', async () => {
    const key = `${PREFIX}{g}:0:1`
    // 30 charged on a new counter (which gets its TTL), 70 left: lease floor(70 / 4) = 17
    assert.deepEqual(await commands.tgRateLease(2, key, key + ':prev', 1, 1, MAX_LEASE, 100, 1, 0, 60_000, 30), [1, 17, 53])
    assert.ok(await client.pttl(key) > 50_000)
    // 60 more charged: 107 handed out, past the limit, so refused with the count
    assert.deepEqual(await commands.tgRateLease(2, key, key + ':prev', 1, 1, MAX_LEASE, 100, 1, 0, 60_000, 60), [0, 1, 107, 0])
    assert.equal(await client.get(key), '107')
  })

  it('a new counter gets the TTL; giving back only touches a counter that still exists', async () => {
    const key = `${PREFIX}{f}:0:1`
    await lease(key, 1000, 1)
    const ttl = await client.pttl(key)
    assert.ok(ttl > 50_000 && ttl <= 60_000, `ttl ${ttl}`)
    assert.equal(await commands.tgRateReturn(key, 40), 60)
    assert.equal(await commands.tgRateReturn(`${PREFIX}{f}:gone`, 40), -1)
    assert.equal(await client.exists(`${PREFIX}{f}:gone`), 0)
  })
})
