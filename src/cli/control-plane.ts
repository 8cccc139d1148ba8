/** `tollgate control-plane -c FILE`: admin API + config RPC service + relay in one process. */
import { dirname, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createLogger } from '../observability/log.js'
import { runControlPlane } from '../control-plane/run.js'
import { requireSettings } from './control-plane-settings.js'

export async function controlPlaneCommand (args: string[]): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' } }, strict: true })
  const settings = requireSettings(values.config)
  const log = createLogger('control-plane', settings.log.level)
  const running = await runControlPlane(settings, log, dirname(resolve(values.config ?? '.')))
  let stopping = false
  const stop = (signal: string): void => {
    if (stopping) return
    stopping = true
    log.info({ signal }, 'control plane stopping')
    running.close().then(() => {
      log.info({}, 'control plane stopped')
      process.exit(0)
    }, (error: unknown) => {
      log.error({ err: error }, 'control plane did not stop cleanly')
      process.exit(1)
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  return -1 // keeps running until a signal
}
