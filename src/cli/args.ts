import { parseArgs } from 'node:util'

/** Options every command understands. */
export interface CommonOptions {
  config: string | undefined
  workers: number | undefined
  pidFile: string | undefined
  timeoutSeconds: number
  help: boolean
}

/** Parses command options; throws with a readable message on an unknown or malformed one. */
export function parseCommonOptions (args: string[]): CommonOptions {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      workers: { type: 'string', short: 'w' },
      'pid-file': { type: 'string' },
      timeout: { type: 'string' },
      help: { type: 'boolean', short: 'h' }
    },
    strict: true,
    allowPositionals: false
  })
  const workers = values.workers === undefined ? undefined : Number(values.workers)
  if (workers !== undefined && (!Number.isInteger(workers) || workers < 0)) throw new Error('--workers must be a whole number ≥ 0 (0 = one per CPU)')
  const timeoutSeconds = values.timeout === undefined ? 60 : Number(values.timeout)
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) throw new Error('--timeout must be a positive number of seconds')
  return { config: values.config, workers, pidFile: values['pid-file'], timeoutSeconds, help: values.help === true }
}
