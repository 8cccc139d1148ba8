import { performance } from 'node:perf_hooks'
import type { TargetRegistry } from '../targets.js'

/** What a worker tells the primary about one target (its passive view), for the health report. */
export interface PassiveTargetState {
  readonly id: string
  /** Ejection time left, ms (0: not ejected). */
  readonly ejected_for_ms: number
  readonly ejections: number
  readonly consecutive_failures: number
  readonly in_flight: number
  /** Attempts sent to it by this worker since the worker started. */
  readonly requests: number
}

/** The passive state of every target the worker knows, from its registry. */
export function passiveStates (registry: TargetRegistry, nowMs: number): PassiveTargetState[] {
  const states: PassiveTargetState[] = []
  for (const state of registry.all()) {
    states.push({
      id: state.id,
      ejected_for_ms: nowMs < state.ejectedUntilMs ? Math.ceil(state.ejectedUntilMs - nowMs) : 0,
      ejections: state.ejections,
      consecutive_failures: state.consecutiveFailures,
      in_flight: state.inFlight,
      requests: state.sent
    })
  }
  return states
}

/**
 * Sends the worker's passive target states to the primary every `everyMs`, but only when they
 * changed since the last send (an idle worker sends nothing; a busy one once per tick, as its
 * request counts move); `ejected_for_ms` is rounded to
 * seconds so a running ejection does not count as a change every tick.
 */
export class PassiveHealthReporter {
  private last = ''
  private timer: NodeJS.Timeout | undefined

  constructor (private readonly registry: TargetRegistry, private readonly send: (targets: PassiveTargetState[]) => void) {}

  start (everyMs = 1000): void {
    this.timer = setInterval(() => this.tick(), everyMs)
    this.timer.unref()
  }

  stop (): void {
    clearInterval(this.timer)
  }

  /** Sends the states now if they changed. */
  tick (): void {
    const states = passiveStates(this.registry, performance.now())
    const key = JSON.stringify(states.map((s) => [s.id, Math.ceil(s.ejected_for_ms / 1000), s.ejections, s.consecutive_failures, s.in_flight, s.requests]))
    if (key === this.last) return
    this.last = key
    this.send(states)
  }
}
