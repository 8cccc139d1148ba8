// The worker's shared Redis connection against the real server, and against a dead one.
import { describe, it, after } from 'node:test'
import assert from 'node:assert/strict'
import { Value } from '@sinclair/typebox/value'
import { RedisSchema, type RedisSettings } from '../../src/config/schema/redis.js'
import { WorkerRedis } from '../../src/redis/worker-redis.js'
import { FaultProxy } from '../support/fault-proxy.js'
import { recordingLogger } from '../support/plugin-context.js'
import { REDIS, skipUnlessReachable } from '../support/services.js'

function settings (host: string, port: number): RedisSettings {
  return Value.Default(RedisSchema, { host, port, command_timeout_ms: 150 }) as RedisSettings
}

async function waitReady (ready: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 20))
}

describe('worker redis connection', { skip: await skipUnlessReachable('redis', REDIS) }, () => {
  const proxies: FaultProxy[] = []
  after(async () => { for (const proxy of proxies) await proxy.close() })

  it('talks to the real server and keeps one connection while the settings are unchanged', async () => {
    const redis = new WorkerRedis(recordingLogger())
    const handle = redis.handleFor(settings(REDIS.host, REDIS.port))
    assert.ok(handle !== undefined)
    assert.equal(redis.handleFor(settings(REDIS.host, REDIS.port)), handle)
    await waitReady(() => handle.ready())
    const key = `${handle.keyPrefix}test:redis-connection:${process.pid}`
    await handle.client.set(key, 'v', 'PX', 5000)
    assert.equal(await handle.client.get(key), 'v')
    await handle.client.del(key)
    redis.close()
  })

  it('fails a command at once while Redis is down instead of queueing it, and recovers', async () => {
    const proxy = await FaultProxy.start(REDIS)
    proxies.push(proxy)
    const log = recordingLogger()
    const redis = new WorkerRedis(log)
    const handle = redis.handleFor(settings(proxy.host, proxy.port))
    assert.ok(handle !== undefined)
    await waitReady(() => handle.ready())
    assert.equal(await handle.client.ping(), 'PONG')
    await proxy.setMode({ kind: 'refuse' })
    proxy.cutAll()
    await new Promise((resolve) => setTimeout(resolve, 50))
    assert.equal(handle.ready(), false)
    const started = Date.now()
    await assert.rejects(handle.client.ping())
    assert.ok(Date.now() - started < 2000, 'a command on a dead connection must not wait for a reconnect')
    await proxy.setMode({ kind: 'pass' })
    await waitReady(() => handle.ready())
    assert.equal(await handle.client.ping(), 'PONG')
    redis.close()
  })
})
