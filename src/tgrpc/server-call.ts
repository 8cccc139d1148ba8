import type { TgRpcServerCall } from './server.js'

/**
 * One call as a handler sees it. The abort signal is made only when a handler asks for it: most
 * handlers never do, and an AbortController per call was the server's largest cost per call.
 */
export class ServerCall implements TgRpcServerCall {
  private controller: AbortController | undefined
  private aborted = false
  private deadlineTimer: NodeJS.Timeout | undefined

  constructor (
    readonly service: string,
    readonly method: string,
    readonly headers: ReadonlyMap<string, string>,
    readonly body: Buffer,
    readonly deadlineMs: number | undefined
  ) {}

  get signal (): AbortSignal {
    if (this.controller === undefined) {
      this.controller = new AbortController()
      if (this.aborted) this.controller.abort()
    }
    return this.controller.signal
  }

  /** True once the caller cancelled, the deadline passed or the connection dropped. */
  get isAborted (): boolean {
    return this.aborted
  }

  /**
   * Starts the deadline clock, for a handler that answers later (a synchronous answer is sent
   * before any timer could fire, so it needs none).
   */
  startDeadline (): void {
    if (this.deadlineMs !== undefined && this.deadlineMs > 0) this.deadlineTimer = setTimeout(() => this.abort(), this.deadlineMs)
  }

  /** Ends the deadline clock once the handler answered. */
  stopDeadline (): void {
    if (this.deadlineTimer !== undefined) clearTimeout(this.deadlineTimer)
  }

  abort (): void {
    if (this.aborted) return
    this.aborted = true
    this.stopDeadline()
    this.controller?.abort()
  }
}

/**
 * A call's entry in its connection's map of calls in flight: only a link to the call, cut when the
 * entry leaves the map. V8 keeps a removed Map entry referenced from the Map's previous hash tables
 * until the next full collection; those tables sit in old space, where young-generation collections
 * treat what they point at as alive. An entry still linked to its call there would keep the call's
 * headers, body, abort signal and the handler state its listeners hold alive through every
 * scavenge and promote them (bench/tgrpc-server-gc.mjs shows the difference). The handler's own
 * `ServerCall` is left whole: a handler that keeps it still reads every field.
 */
export class RunningCall {
  private call: ServerCall | undefined

  constructor (call: ServerCall) {
    this.call = call
  }

  /** Cuts the link; returns the call the first time, undefined after. */
  release (): ServerCall | undefined {
    const call = this.call
    this.call = undefined
    return call
  }
}
