import type { Logger } from '../kit/logger.js'

/**
 * Up/down state of one cache level (Redis or the config service): the first failure of an outage
 * and the recovery are logged at warn, the calls in between stay quiet (one line per outage).
 */
export class LevelHealth {
  down = false

  constructor (private readonly log: Logger, private readonly level: string, private readonly effect: string,
    private readonly onChange: (down: boolean) => void) {}

  failed (error: unknown): void {
    if (this.down) return
    this.down = true
    this.onChange(true)
    this.log.warn({ err: error, level: this.level }, `config cache: ${this.level} unreachable; ${this.effect}`)
  }

  succeeded (): void {
    if (!this.down) return
    this.down = false
    this.onChange(false)
    this.log.warn({ level: this.level }, `config cache: ${this.level} reachable again`)
  }
}
