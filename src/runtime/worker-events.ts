import { EventEmitter } from 'node:events'

export type WorkerEventName = 'reopen-logs' | 'drain'

/** Lifecycle events a worker forwards to plugins (log reopen on SIGUSR1, graceful drain). */
export class WorkerEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0)

  on (event: WorkerEventName, listener: () => void | Promise<void>): () => void {
    this.emitter.on(event, listener)
    return () => { this.emitter.off(event, listener) }
  }

  emit (event: WorkerEventName): void {
    this.emitter.emit(event)
  }

  /** Calls every listener and waits for those that returned a promise, at most `timeoutMs`. */
  async emitAndWait (event: WorkerEventName, timeoutMs: number): Promise<void> {
    const pending = this.emitter.listeners(event).map(async (listener) => { await (listener as () => unknown)() })
    let timer: NodeJS.Timeout | undefined
    const timeout = new Promise<void>((resolve) => { timer = setTimeout(resolve, timeoutMs) })
    await Promise.race([Promise.allSettled(pending), timeout])
    clearTimeout(timer)
  }
}
