/** Thresholds of one service's active checks. */
export interface Thresholds {
  readonly healthyThreshold: number
  readonly unhealthyThreshold: number
}

/** What the report shows of one target's active checks. */
export interface TargetCheckReport {
  readonly healthy: boolean
  readonly consecutive_successes: number
  readonly consecutive_failures: number
  /** Wall-clock time of the last check (ISO 8601), or null before the first. */
  readonly last_check_at: string | null
  /** Why the last check failed (error or unexpected status), or null when it passed. */
  readonly last_error: string | null
}

/**
 * The active-health state of one target in one service: it starts healthy (a new target is given
 * the benefit of the doubt, as the passive side does), goes down after `unhealthyThreshold` failed
 * checks in a row and comes back after `healthyThreshold` passed checks in a row.
 */
export class TargetCheck {
  healthy = true
  consecutiveSuccesses = 0
  consecutiveFailures = 0
  lastCheckAtMs: number | undefined = undefined
  lastError: string | undefined = undefined
  thresholds: Thresholds

  constructor (thresholds: Thresholds) {
    this.thresholds = thresholds
  }

  /**
   * Records one check at wall-clock `atMs`; `error` undefined means it passed.
   * @returns true when this check changed the target's verdict (up → down or down → up)
   */
  record (error: string | undefined, atMs: number): boolean {
    this.lastCheckAtMs = atMs
    this.lastError = error
    if (error === undefined) {
      this.consecutiveSuccesses++
      this.consecutiveFailures = 0
      if (!this.healthy && this.consecutiveSuccesses >= this.thresholds.healthyThreshold) return this.flip(true)
    } else {
      this.consecutiveFailures++
      this.consecutiveSuccesses = 0
      if (this.healthy && this.consecutiveFailures >= this.thresholds.unhealthyThreshold) return this.flip(false)
    }
    return false
  }

  report (): TargetCheckReport {
    return {
      healthy: this.healthy,
      consecutive_successes: this.consecutiveSuccesses,
      consecutive_failures: this.consecutiveFailures,
      last_check_at: this.lastCheckAtMs === undefined ? null : new Date(this.lastCheckAtMs).toISOString(),
      last_error: this.lastError ?? null
    }
  }

  private flip (healthy: boolean): boolean {
    this.healthy = healthy
    return true
  }
}
