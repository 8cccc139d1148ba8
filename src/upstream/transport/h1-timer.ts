// The one timer of a connection. Arming stores a deadline and a kind; a Node timer is created
// only when the new deadline is earlier than the one already scheduled, so re-arming on every
// request and body chunk costs a clock read. A timer that fires early re-schedules itself for the
// rest; one whose kind was cleared does nothing.
import { performance } from 'node:perf_hooks'

/** No deadline. */
export const TIMER_NONE = 0
/** Connection and TLS handshake. */
export const TIMER_CONNECT = 1
/** Waiting for the socket to flush a write. */
export const TIMER_SEND = 2
/** Waiting for the response head or the next body bytes. */
export const TIMER_READ = 3
/** The connection sits in the idle pool. */
export const TIMER_IDLE = 4

/** Called when a deadline passes, with the kind that was armed. */
export type DeadlineListener = (kind: number) => void

/** A re-armable deadline for one connection. */
export class ConnectionTimer {
  private timer: NodeJS.Timeout | undefined = undefined
  private due = 0
  private deadline = 0
  /** The armed kind, TIMER_NONE when disarmed. */
  kind = TIMER_NONE

  constructor (private readonly listener: DeadlineListener) {}

  /** Sets the deadline `ms` from now for `kind`, replacing any other. */
  arm (kind: number, ms: number): void {
    const deadline = performance.now() + ms
    this.kind = kind
    this.deadline = deadline
    if (this.timer === undefined || deadline < this.due) this.schedule(ms, deadline)
  }

  /** Clears the deadline; a scheduled Node timer fires later and does nothing. */
  disarm (): void {
    this.kind = TIMER_NONE
  }

  /** Clears the deadline and the Node timer (the connection is gone). */
  stop (): void {
    this.kind = TIMER_NONE
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }

  private schedule (ms: number, due: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = setTimeout(this.onTimer, Math.max(1, Math.ceil(ms)))
    this.timer.unref()
    this.due = due
  }

  private readonly onTimer = (): void => {
    this.timer = undefined
    const kind = this.kind
    if (kind === TIMER_NONE) return
    const left = this.deadline - performance.now()
    // Node's timers run on the loop's millisecond clock and may fire a fraction early.
    if (left >= 1) {
      this.schedule(left, this.deadline)
      return
    }
    this.kind = TIMER_NONE
    this.listener(kind)
  }
}
