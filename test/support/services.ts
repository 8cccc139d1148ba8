// Where the real backing services of integration tests are, and what a suite does when one is not
// there: skipped with a loud message on a developer machine, a failure under CI=true.
import { connect } from 'node:net'

export interface ServiceAddress { readonly host: string, readonly port: number }

/** Redis for tests: TOLLGATE_TEST_REDIS_HOST / _PORT, default 127.0.0.1:6379. */
export const REDIS: ServiceAddress = {
  host: process.env.TOLLGATE_TEST_REDIS_HOST ?? '127.0.0.1',
  port: Number(process.env.TOLLGATE_TEST_REDIS_PORT ?? 6379)
}

/** MySQL/MariaDB for tests: TOLLGATE_TEST_MYSQL_HOST / _PORT / _USER / _PASSWORD / _DATABASE, default root@127.0.0.1:3306/test. */
export const MYSQL = {
  host: process.env.TOLLGATE_TEST_MYSQL_HOST ?? '127.0.0.1',
  port: Number(process.env.TOLLGATE_TEST_MYSQL_PORT ?? 3306),
  user: process.env.TOLLGATE_TEST_MYSQL_USER ?? 'root',
  password: process.env.TOLLGATE_TEST_MYSQL_PASSWORD ?? '',
  database: process.env.TOLLGATE_TEST_MYSQL_DATABASE ?? 'test'
} as const

/** True when a TCP connection to the address opens within `timeoutMs`. */
export function reachable (address: ServiceAddress, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(address.port, address.host)
    const done = (ok: boolean): void => { socket.destroy(); resolve(ok) }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

/**
 * The `skip` option for a suite that needs `name` at `address`: false when it is reachable, a
 * reason (printed loudly) when not — and under CI=true an unreachable service throws, so the run
 * fails instead of passing without the suite.
 */
export async function skipUnlessReachable (name: string, address: ServiceAddress): Promise<false | string> {
  if (await reachable(address)) return false
  const reason = `${name} is not reachable at ${address.host}:${address.port}`
  if (process.env.CI === 'true') throw new Error(`${reason}; under CI=true this suite must run, not be skipped`)
  console.error(`\n!!! SKIPPING: ${reason} — start it to run this suite !!!\n`)
  return reason
}
