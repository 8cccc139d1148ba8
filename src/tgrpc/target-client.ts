import { TgRpcConnection, type TgRpcCall, type TgRpcCallback, type TgRpcConnectionOptions } from './client-connection.js'
import { TgRpcCallError } from './errors.js'
import { TgRpcStatus } from './status.js'

export interface TargetClientOptions extends TgRpcConnectionOptions {
  /** Connections kept open to the target; calls go to the least busy. Default 2. */
  readonly connections: number
  /** First pause after a failed connect, ms; doubles per failure up to `maxReconnectDelayMs`. */
  readonly reconnectDelayMs: number
  readonly maxReconnectDelayMs: number
}

/**
 * Every TG-RPC connection to one backend target. Calls go to the open connection with the fewest
 * calls in flight; a lost connection is replaced on the next call. After a failed connect the
 * target is not dialled again until a backoff passes: calls meanwhile fail at once with
 * UNAVAILABLE and `maybeSent: false`, so the gateway can retry them on another target.
 */
export class TgRpcTargetClient {
  private readonly connections: TgRpcConnection[] = []
  private failures = 0
  private retryAt = 0
  private closed = false

  constructor (private readonly options: TargetClientOptions) {}

  /** Calls in flight over all connections. */
  get inFlight (): number {
    let total = 0
    for (const connection of this.connections) total += connection.inFlight
    return total
  }

  call (call: TgRpcCall, callback: TgRpcCallback): () => void {
    const connection = this.pick()
    if (connection === undefined) {
      callback(new TgRpcCallError(TgRpcStatus.UNAVAILABLE, `TG-RPC target ${this.options.host}:${this.options.port} is unreachable (reconnect backoff)`, false), undefined)
      return noop
    }
    return connection.call(call, callback)
  }

  /** Closes every connection; calls in flight end with UNAVAILABLE. */
  close (): void {
    this.closed = true
    for (const connection of [...this.connections]) connection.destroy(undefined)
  }

  private pick (): TgRpcConnection | undefined {
    if (this.closed) return undefined
    if (this.connections.length < this.options.connections && Date.now() >= this.retryAt) this.open()
    let best: TgRpcConnection | undefined
    for (const connection of this.connections) {
      if (!connection.usable) continue
      if (best === undefined || connection.inFlight < best.inFlight) best = connection
    }
    return best
  }

  private open (): void {
    const connection = new TgRpcConnection(this.options)
    this.connections.push(connection)
    let connected = false
    connection.onReady(() => {
      connected = true
      this.failures = 0
      this.retryAt = 0
    })
    connection.onClose(() => {
      const at = this.connections.indexOf(connection)
      if (at !== -1) this.connections.splice(at, 1)
      if (connected) return
      this.failures++
      this.retryAt = Date.now() + Math.min(this.options.reconnectDelayMs * 2 ** (this.failures - 1), this.options.maxReconnectDelayMs)
    })
  }
}

function noop (): void {}
