/** The logging surface plugins and gateway modules use (pino-compatible subset). */
export interface Logger {
  error (obj: object, msg?: string): void
  warn (obj: object, msg?: string): void
  info (obj: object, msg?: string): void
  debug (obj: object, msg?: string): void
  child (bindings: Record<string, unknown>): Logger
}
