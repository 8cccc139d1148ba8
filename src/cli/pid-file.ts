import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/**
 * Where a gateway started with `configPath` records its primary's pid: the temp folder, named
 * after the config's absolute path, so `reload` and `stop` with the same `-c` find it.
 */
export function defaultPidFile (configPath: string): string {
  const digest = createHash('sha256').update(resolve(configPath)).digest('hex').slice(0, 16)
  return join(tmpdir(), `tollgate-${digest}.pid`)
}

/** The pid in a pid file, or an explanation of why there is none. */
export function readPid (pidFile: string): { ok: true, pid: number } | { ok: false, reason: string } {
  let text: string
  try {
    text = readFileSync(pidFile, 'utf8')
  } catch {
    return { ok: false, reason: `no pid file at ${pidFile}: is the gateway running with this config?` }
  }
  const pid = Number(text.trim())
  if (!Number.isInteger(pid) || pid <= 0) return { ok: false, reason: `${pidFile} does not hold a pid` }
  try {
    process.kill(pid, 0)
  } catch {
    return { ok: false, reason: `the process ${pid} named in ${pidFile} is not running` }
  }
  return { ok: true, pid }
}
