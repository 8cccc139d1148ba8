// The connections of one target: an idle list (most recently used first, so the older ones age
// out), an optional cap on open connections with a wait queue, and the TLS session to resume.
import type { ConnectionHome, H1Connection } from './h1-connection.js'
import type { ExchangeHome, H1Exchange } from './h1-exchange.js'
import type { Target } from './transport.js'

/** What a pool needs from its transport. */
export interface PoolOwner {
  readonly maxIdlePerTarget: number
  readonly idleTimeoutMs: number
  /** Cap on open (connecting, busy and idle) connections per target; Infinity for none. */
  readonly maxConnectionsPerTarget: number
  /** True once close() was called: released connections are destroyed, not kept. */
  readonly closed: boolean
  /** Opens a connection to the pool's target for `exchange`. */
  connect (pool: H1TargetPool, exchange: H1Exchange): void
  exchangeDone (): void
}

/** Connections and waiting exchanges of one target (`target.id`). */
export class H1TargetPool implements ConnectionHome, ExchangeHome {
  tlsSession: Buffer | undefined = undefined
  private readonly idleList: H1Connection[] = []
  private readonly waiters: H1Exchange[] = []
  private open = 0

  constructor (readonly owner: PoolOwner, readonly target: Target) {}

  get idleTimeoutMs (): number {
    return this.owner.idleTimeoutMs
  }

  /** Number of idle connections (for tests and metrics). */
  get idleCount (): number {
    return this.idleList.length
  }

  /** Gives `exchange` an idle connection, a new one, or a place in the wait queue. */
  acquire (exchange: H1Exchange): void {
    const conn = this.idleList.pop()
    if (conn !== undefined) {
      conn.attach(exchange)
      return
    }
    this.openFor(exchange)
  }

  replay (exchange: H1Exchange): void {
    this.openFor(exchange)
  }

  release (conn: H1Connection): void {
    if (this.owner.closed) {
      conn.destroy()
      return
    }
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      this.stopWaiting(waiter)
      conn.attach(waiter)
      return
    }
    if (this.idleList.length >= this.owner.maxIdlePerTarget) {
      conn.destroy()
      return
    }
    conn.goIdle()
    this.idleList.push(conn)
  }

  connectionGone (conn: H1Connection): void {
    this.open--
    if (conn.idle) {
      conn.idle = false
      const at = this.idleList.indexOf(conn)
      if (at !== -1) this.idleList.splice(at, 1)
    }
    const waiter = this.waiters.shift()
    if (waiter !== undefined) {
      this.stopWaiting(waiter)
      this.openFor(waiter)
    }
  }

  cancelWait (exchange: H1Exchange): void {
    const at = this.waiters.indexOf(exchange)
    if (at !== -1) this.waiters.splice(at, 1)
    this.stopWaiting(exchange)
  }

  exchangeDone (): void {
    this.owner.exchangeDone()
  }

  /** Destroys the idle connections. */
  closeIdle (): void {
    for (const conn of this.idleList.slice()) conn.destroy()
  }

  private openFor (exchange: H1Exchange): void {
    if (this.open >= this.owner.maxConnectionsPerTarget) {
      this.wait(exchange)
      return
    }
    this.open++
    try {
      this.owner.connect(this, exchange)
    } catch (err) {
      this.open-- // e.g. a port out of range: misuse, thrown to the caller of request()
      throw err
    }
  }

  /** Queues `exchange` until a connection frees up, for at most its connect timeout. */
  private wait (exchange: H1Exchange): void {
    this.waiters.push(exchange)
    const ms = exchange.request.timeouts.connectMs
    exchange.waitTimer = setTimeout(() => {
      exchange.waitTimer = undefined
      this.cancelWait(exchange)
      exchange.fail('connect-timeout', `no connection to ${this.target.id} free within ${ms} ms`)
    }, ms)
  }

  private stopWaiting (exchange: H1Exchange): void {
    if (exchange.waitTimer !== undefined) clearTimeout(exchange.waitTimer)
    exchange.waitTimer = undefined
  }
}
