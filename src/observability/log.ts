import { pino } from 'pino'
import type { Logger } from '../kit/logger.js'

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'

/**
 * The process logger: structured JSON lines (pino) on stdout, one per event, with the process role
 * and pid bound. The request path logs only failures, so synchronous stdout writes are acceptable.
 */
export function createLogger (role: string, level: LogLevel = 'info'): Logger & { level: string } {
  return pino({
    level,
    base: { role, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) }
  }) as unknown as Logger & { level: string }
}

/** A logger that drops everything (tests, inject()). */
export const silentLogger: Logger = {
  error () {},
  warn () {},
  info () {},
  debug () {},
  child () { return silentLogger }
}
