import type { Worker as ClusterWorker } from 'node:cluster'

/** One worker slot as /status shows it; a slot keeps its index across restarts. */
export interface WorkerSlotView {
  readonly slot: number
  readonly pid: number | undefined
  readonly started_at: string
  readonly age_seconds: number
  readonly restarts: number
  /** The config version the worker serves; null until it applied one. */
  readonly config_version: number | null
  readonly listening: boolean
  readonly ports: readonly number[]
  readonly degraded: readonly string[]
}

interface Slot {
  worker: ClusterWorker | undefined
  startedAt: number
  restarts: number
  appliedVersion: number | undefined
  ports: number[]
  degraded: string[]
}

/**
 * What the primary knows about its node, for the status endpoints: worker slots (pid, age,
 * restarts, applied config version, listeners), the config version, the outcome of the last
 * reload and the degraded modes reported by workers.
 */
export class NodeState {
  readonly startedAt = Date.now()
  configVersion = 1
  configLoadedAt = Date.now()
  stopping = false
  /** Problems of the last refused reload; cleared by the next accepted one. */
  lastReloadProblems: string[] = []
  private readonly slots: Slot[] = []
  private readonly slotOfWorker = new Map<number, number>()

  constructor (readonly workerCount: number) {
    for (let i = 0; i < workerCount; i++) this.slots.push({ worker: undefined, startedAt: Date.now(), restarts: 0, appliedVersion: undefined, ports: [], degraded: [] })
  }

  forked (slotIndex: number, worker: ClusterWorker): void {
    const slot = this.slots[slotIndex] as Slot
    if (slot.worker !== undefined) slot.restarts++
    slot.worker = worker
    slot.startedAt = Date.now()
    slot.appliedVersion = undefined
    slot.ports = []
    slot.degraded = []
    this.slotOfWorker.set(worker.id, slotIndex)
  }

  slotOf (worker: ClusterWorker): number | undefined {
    return this.slotOfWorker.get(worker.id)
  }

  applied (worker: ClusterWorker, version: number, ports: number[]): void {
    const slot = this.slotFor(worker)
    if (slot === undefined) return
    slot.appliedVersion = version
    slot.ports = ports
  }

  degradedIn (worker: ClusterWorker, modes: string[]): void {
    const slot = this.slotFor(worker)
    if (slot !== undefined) slot.degraded = modes
  }

  exited (worker: ClusterWorker): void {
    const slot = this.slotFor(worker)
    this.slotOfWorker.delete(worker.id)
    if (slot === undefined || slot.worker !== worker) return
    slot.appliedVersion = undefined
    slot.ports = []
    slot.degraded = []
  }

  reloaded (version: number): void {
    this.configVersion = version
    this.configLoadedAt = Date.now()
    this.lastReloadProblems = []
  }

  workers (): WorkerSlotView[] {
    const now = Date.now()
    return this.slots.map((slot, index) => {
      const alive = slot.worker !== undefined && !slot.worker.isDead()
      return {
        slot: index,
        pid: alive ? slot.worker?.process.pid : undefined,
        started_at: new Date(slot.startedAt).toISOString(),
        age_seconds: Math.round((now - slot.startedAt) / 100) / 10,
        restarts: slot.restarts,
        config_version: slot.appliedVersion ?? null,
        listening: alive && slot.appliedVersion !== undefined,
        ports: slot.ports,
        degraded: slot.degraded
      }
    })
  }

  /** Ready: config loaded and every worker slot serving with its listeners open. */
  readiness (): { ready: boolean, reasons: string[] } {
    const reasons: string[] = []
    if (this.stopping) reasons.push('the gateway is stopping')
    for (const worker of this.workers()) {
      if (!worker.listening) reasons.push(`worker slot ${worker.slot} is not serving yet`)
    }
    return { ready: reasons.length === 0, reasons }
  }

  /** Degraded modes of the node: the workers' (by name, with how many report it) and the primary's. */
  degraded (): string[] {
    const modes = new Set<string>()
    if (this.lastReloadProblems.length > 0) modes.add('config-reload-refused')
    for (const worker of this.workers()) {
      if (!worker.listening) modes.add('worker-not-serving')
      else if (worker.config_version !== this.configVersion) modes.add('worker-config-behind')
      for (const mode of worker.degraded) modes.add(mode)
    }
    return [...modes].sort()
  }

  private slotFor (worker: ClusterWorker): Slot | undefined {
    const index = this.slotOfWorker.get(worker.id)
    return index === undefined ? undefined : this.slots[index]
  }
}
