import { createRequire } from 'node:module'
import { formatProblems } from '../config/problems.js'
import { loadGatewayConfig } from '../server/load-config.js'
import { runPrimary } from '../server/primary.js'
import type { CommonOptions } from './args.js'
import { defaultPidFile, readPid } from './pid-file.js'

function requireConfig (options: CommonOptions): string {
  if (options.config === undefined) throw new Error('-c/--config FILE is required')
  return options.config
}

function pidFileOf (options: CommonOptions): string {
  return options.pidFile ?? defaultPidFile(requireConfig(options))
}

export async function start (options: CommonOptions): Promise<number> {
  const configPath = requireConfig(options)
  await runPrimary({ configPath, workers: options.workers, pidFile: pidFileOf(options) })
  return -1 // keeps running
}

export async function validate (options: CommonOptions): Promise<number> {
  const loaded = await loadGatewayConfig(requireConfig(options))
  for (const warning of loaded.warnings) process.stderr.write(`warning: ${warning.file}: ${warning.reason}\n`)
  if (!loaded.ok) {
    process.stderr.write(`${formatProblems(loaded.problems)}\n`)
    process.stderr.write(`${loaded.problems.length} problem(s); the configuration is invalid\n`)
    return 1
  }
  const c = loaded.config
  process.stdout.write(`valid: ${c.services.length} services, ${c.routes.length} routes, ${c.merchants.length} merchants, ${c.plugins.length} plugin bindings, ${c.certificates.length} certificates\n`)
  return 0
}

export function reload (options: CommonOptions): number {
  const pid = readPid(pidFileOf(options))
  if (!pid.ok) throw new Error(pid.reason)
  process.kill(pid.pid, 'SIGHUP')
  process.stdout.write(`reload requested (SIGHUP to ${pid.pid}); problems, if any, are in the gateway's log\n`)
  return 0
}

export async function stop (options: CommonOptions): Promise<number> {
  const pid = readPid(pidFileOf(options))
  if (!pid.ok) throw new Error(pid.reason)
  process.kill(pid.pid, 'SIGTERM')
  const deadline = Date.now() + options.timeoutSeconds * 1000
  while (Date.now() < deadline) {
    try {
      process.kill(pid.pid, 0)
    } catch {
      process.stdout.write(`stopped (${pid.pid})\n`)
      return 0
    }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  process.stderr.write(`the gateway (${pid.pid}) is still running after ${options.timeoutSeconds} s\n`)
  return 1
}

export function version (): number {
  const pkg = createRequire(import.meta.url)('../../../package.json') as { version: string }
  process.stdout.write(`tollgate ${pkg.version} (node ${process.version})\n`)
  return 0
}
