import { parseArgs } from 'node:util'

/** Options of `tollgate profile`. */
export interface ProfileCommandOptions {
  readonly config: string | undefined
  /** Base URL of the status listener; default from the config's gateway.status. */
  readonly status: string | undefined
  /** Status token; default --token, then $TOLLGATE_STATUS_TOKEN, then the config's gateway.status.token. */
  readonly token: string | undefined
  readonly seconds: number
  readonly worker: string
  readonly intervalUs: number | undefined
  readonly out: string
  readonly html: string | undefined
}

/** Parses `tollgate profile` options (--help is answered before); throws with a readable message on a bad one. */
export function parseProfileOptions (args: string[]): ProfileCommandOptions {
  const { values } = parseArgs({
    args,
    options: {
      config: { type: 'string', short: 'c' },
      status: { type: 'string' },
      token: { type: 'string' },
      seconds: { type: 'string', short: 's' },
      worker: { type: 'string' },
      'interval-us': { type: 'string' },
      out: { type: 'string', short: 'o' },
      html: { type: 'string' }
    },
    strict: true,
    allowPositionals: false
  })
  const seconds = Number(values.seconds ?? '10')
  if (!Number.isFinite(seconds) || seconds <= 0) throw new Error('--seconds must be a positive number')
  const intervalUs = values['interval-us'] === undefined ? undefined : Number(values['interval-us'])
  if (intervalUs !== undefined && !Number.isInteger(intervalUs)) throw new Error('--interval-us must be a whole number of microseconds')
  const worker = values.worker ?? 'all'
  if (worker !== 'all' && !/^\d+$/.test(worker)) throw new Error("--worker must be 'all' or a worker's pid")
  if (values.out === undefined) throw new Error('--out FILE (where the .cpuprofile is written) is required')
  if (values.config === undefined && values.status === undefined) throw new Error('-c/--config FILE or --status URL is required to find the status listener')
  return {
    config: values.config,
    status: values.status,
    token: values.token,
    seconds,
    worker,
    intervalUs,
    out: values.out ?? '',
    html: values.html
  }
}
