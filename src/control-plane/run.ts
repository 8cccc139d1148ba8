/**
 * One control plane process: the admin REST API, the config RPC service and the relay over one
 * MySQL pool and one Redis connection. `close()` stops taking requests, lets the relay finish its
 * round, then closes the connections.
 */
import { createRequire } from 'node:module'
import type { Logger } from '../kit/logger.js'
import { connectRedis, waitReady } from '../redis/connect.js'
import { openStore } from './open-store.js'
import { startAdminServer } from './admin/server.js'
import { buildOpenApi } from './admin/openapi.js'
import { startRpcServer } from './rpc/config-service.js'
import { RedisConfigWriter } from './relay/redis-writer.js'
import { Relay } from './relay/relay.js'
import { listNodes } from './nodes.js'
import type { ControlPlaneSettings } from './settings-schema.js'

export interface RunningControlPlane {
  readonly adminPort: number
  readonly rpcPort: number
  close (): Promise<void>
}

/** The relay writes in batches (a full sync pipelines hundreds of scripts): a gateway-sized timeout is too tight. */
const RELAY_COMMAND_TIMEOUT_MS = 5_000

function packageVersion (): string {
  return (createRequire(import.meta.url)('../../../package.json') as { version: string }).version
}

export async function runControlPlane (settings: ControlPlaneSettings, log: Logger, baseDir: string): Promise<RunningControlPlane> {
  const { pool, store, migrated, warnings } = await openStore(settings, baseDir)
  if (migrated.length > 0) log.info({ migrations: migrated }, 'database migrated')
  for (const warning of warnings) log.warn({ plugin: warning }, 'third-party plugin refused; bindings naming it are refused as unknown')
  const redisSettings = { ...settings.redis, command_timeout_ms: Math.max(settings.redis.command_timeout_ms, RELAY_COMMAND_TIMEOUT_MS) }
  const redis = connectRedis(redisSettings, log, 'control-plane')
  const prefix = settings.redis.key_prefix
  const relay = new Relay(pool, new RedisConfigWriter(redis, prefix, settings.relay.stream_max_length), {
    pollMs: settings.relay.poll_ms, batchSize: settings.relay.batch_size, log
  })
  store.onCommit(() => relay.wake())
  const closers: Array<() => Promise<void>> = []
  try {
    const rpc = await startRpcServer(pool, { host: settings.rpc.host, port: settings.rpc.port, log })
    closers.push(() => rpc.close())
    const admin = await startAdminServer(
      { store, listNodes: () => listNodes(redis, prefix), openapi: buildOpenApi(packageVersion()) },
      { host: settings.admin.host, port: settings.admin.port, token: settings.admin.token, maxBodyBytes: settings.admin.max_body_bytes, log })
    closers.unshift(() => admin.close())
    // The relay's first round would fail on a connection still opening, and warn for nothing.
    await waitReady(redis, redisSettings.connect_timeout_ms)
    relay.start()
    closers.push(() => relay.stop())
    log.info({ admin: `${settings.admin.host}:${admin.address.port}`, rpc: `${settings.rpc.host}:${rpc.port}`, redis_prefix: prefix }, 'control plane running')
    return {
      adminPort: admin.address.port,
      rpcPort: rpc.port,
      close: async () => {
        for (const close of closers) await close()
        redis.disconnect()
        await pool.end()
      }
    }
  } catch (error) {
    for (const close of closers) await close().catch(() => {})
    redis.disconnect()
    await pool.end().catch(() => {})
    throw error
  }
}
