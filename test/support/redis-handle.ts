// Worker Redis handles for plugin tests against the real Redis (or a fault proxy in front of it),
// with a key prefix of the test run's own so parallel runs do not collide.
import assert from 'node:assert/strict'
import { Value } from '@sinclair/typebox/value'
import { RedisSchema, type RedisSettings } from '../../src/config/schema/redis.js'
import type { RedisHandle } from '../../src/kit/redis.js'
import { WorkerRedis } from '../../src/redis/worker-redis.js'
import { recordingLogger, type RecordingLogger } from './plugin-context.js'

/** `gateway.redis` settings with defaults, a short command timeout and fast reconnects. */
export function testRedisSettings (address: { host: string, port: number }, keyPrefix: string): RedisSettings {
  return Value.Default(RedisSchema, { host: address.host, port: address.port, key_prefix: keyPrefix, command_timeout_ms: 300, max_reconnect_delay_ms: 200 }) as RedisSettings
}

/** Polls `condition` every 25 ms for at most 5 s. */
export async function waitFor (condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 25))
  assert.ok(condition(), `timed out waiting for ${what}`)
}

/** A worker's Redis handle; `close` deletes the keys under the prefix (when connected) and disconnects. */
export interface TestRedis {
  readonly handle: RedisHandle
  close (): Promise<void>
}

/** Opens a handle as a worker would; `ready: true` waits until it can take commands. */
export async function openTestRedis (address: { host: string, port: number }, keyPrefix: string, options: { ready?: boolean, log?: RecordingLogger } = {}): Promise<TestRedis> {
  const redis = new WorkerRedis(options.log ?? recordingLogger())
  const handle = redis.handleFor(testRedisSettings(address, keyPrefix))
  assert.ok(handle !== undefined)
  if (options.ready ?? true) await waitFor(() => handle.ready(), `redis at ${address.host}:${address.port}`)
  return {
    handle,
    async close () {
      if (handle.ready()) {
        const keys = await handle.client.keys(`${keyPrefix}*`)
        if (keys.length > 0) await handle.client.del(...keys)
      }
      redis.close()
    }
  }
}
