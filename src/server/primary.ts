import cluster, { type Worker as ClusterWorker } from 'node:cluster'
import { availableParallelism } from 'node:os'
import { writeFileSync, rmSync } from 'node:fs'
import type { GatewayConfig } from '../config/gateway-config.js'
import { formatProblems } from '../config/problems.js'
import type { Logger } from '../kit/logger.js'
import { createLogger } from '../observability/log.js'
import { loadGatewayConfig } from './load-config.js'
import type { ToPrimary, ToWorker } from './messages.js'
import { RestartBackoff } from './restart-backoff.js'
import { MetricsHub } from '../metrics/metrics-hub.js'
import { NodeState } from '../status/node-state.js'
import { addNodeRoutes, nodeFamilies } from '../status/node-routes.js'
import { StatusServer } from '../status/status-server.js'
import { ProfileOrchestrator } from '../profiler/profile-orchestrator.js'
import { isProfilerReply } from '../profiler/messages.js'
import { addDebugRoutes } from '../profiler/debug-routes.js'
import { UpstreamHealth, type UpstreamHealthReport } from '../upstream/active-health/upstream-health.js'

export interface PrimaryOptions {
  readonly configPath: string
  /** Overrides `gateway.workers` (0 = CPUs). */
  readonly workers: number | undefined
  readonly pidFile: string
}

interface WorkerSlot {
  worker: ClusterWorker
  startedAt: number
  /** The slot's index (0..workers-1), kept across restarts: the `worker` metric label. */
  index: number
  /** Said hello: its message handler is in place, so a message sent to it is not lost. */
  ready: boolean
}

/** Listens to worker messages the primary does not handle itself (e.g. profiler replies). */
export type WorkerMessageListener = (worker: ClusterWorker, message: ToPrimary) => void

/**
 * The primary process (DESIGN.md §1): validates config, forks workers, restarts crashed ones with
 * back-off, reloads on SIGHUP without dropping requests (workers swap snapshots), drains on
 * SIGTERM/SIGINT and exits 0, forwards SIGUSR1 (log reopen). It carries no traffic.
 */
export class Primary {
  private config: GatewayConfig
  private version = 1
  private stopping = false
  private readonly slots = new Map<number, WorkerSlot>()
  private readonly backoff: RestartBackoff
  private readonly log: Logger
  private readonly options: PrimaryOptions
  private readonly workerCount: number
  private reloading: Promise<void> = Promise.resolve()
  /** Node facts for the status endpoints. */
  readonly node: NodeState
  /** Sums the workers' metrics; undefined when metrics are off. */
  readonly metrics: MetricsHub | undefined
  /** The status listener; undefined when `gateway.status` is not configured. */
  readonly status: StatusServer | undefined
  private readonly workerListeners: WorkerMessageListener[] = []
  /** CPU profiles and heap snapshots of the workers (the status listener's /debug routes use it). */
  readonly profiler = new ProfileOrchestrator(() => [...this.slots.values()]
    .filter(({ worker, ready }) => ready && worker.isConnected() && worker.process.pid !== undefined)
    .map(({ worker }) => ({ pid: worker.process.pid as number, send: (message) => this.send(worker, message) })))
  /** Active health checks and the workers' passive states (`src/upstream/active-health/`). */
  private readonly upstreamHealth: UpstreamHealth
  /** The worker that writes the node heartbeat and last-good route table (control-plane source). */
  private leaderId: number | undefined

  constructor (config: GatewayConfig, options: PrimaryOptions, log: Logger) {
    this.config = config
    this.options = options
    this.log = log
    const configured = options.workers ?? config.gateway.workers
    this.workerCount = configured > 0 ? configured : availableParallelism()
    this.backoff = new RestartBackoff(config.gateway.restart_backoff.initial_ms, config.gateway.restart_backoff.max_ms)
    this.node = new NodeState(this.workerCount)
    this.upstreamHealth = new UpstreamHealth(config, (message) => this.broadcast(message), log)
    const statusSettings = config.gateway.status
    this.metrics = statusSettings !== undefined && config.gateway.metrics.enabled
      ? new MetricsHub(() => [...this.slots.values()].map((s) => s.worker), () => nodeFamilies(this.node), (w) => this.send(w, { type: 'collect-metrics' }))
      : undefined
    this.status = statusSettings === undefined ? undefined : new StatusServer(statusSettings, log)
    this.onWorkerMessage((_worker, message) => { if (isProfilerReply(message)) this.profiler.onReply(message) })
    if (this.status !== undefined) {
      addNodeRoutes(this.status, this.node, this.metrics)
      // Endpoints of other modules are added here, one line each: this.status.route(...)
      addDebugRoutes(this.status, this.profiler)
      this.status.route('GET', '/status/upstreams', () => ({ body: this.upstreamHealth.report() }))
    }
  }

  /** Workers' messages of other modules (profiler replies and the like). */
  onWorkerMessage (listener: WorkerMessageListener): void {
    this.workerListeners.push(listener)
  }

  /** The live workers with their slot index and pid. */
  liveWorkers (): Array<{ index: number, pid: number | undefined, worker: ClusterWorker }> {
    return [...this.slots.values()].map((s) => ({ index: s.index, pid: s.worker.process.pid, worker: s.worker }))
  }

  /** Per service, per target: active check state and the workers' passive view (JSON). */
  upstreamHealthReport (): UpstreamHealthReport {
    return this.upstreamHealth.report()
  }

  start (): void {
    writeFileSync(this.options.pidFile, `${process.pid}\n`)
    for (let i = 0; i < this.workerCount; i++) this.fork(i)
    void this.openStatus()
    cluster.on('exit', (worker, code, signal) => this.onExit(worker, code, signal))
    process.on('SIGHUP', () => { this.reloading = this.reloading.then(() => this.reload()) })
    process.on('SIGTERM', () => { void this.shutdown('SIGTERM') })
    process.on('SIGINT', () => { void this.shutdown('SIGINT') })
    process.on('SIGUSR1', () => this.broadcast({ type: 'reopen-logs' }))
  }

  private async openStatus (): Promise<void> {
    const status = this.status
    if (status === undefined) return
    try {
      const port = await status.listen()
      this.log.info({ host: this.config.gateway.status?.host, port }, 'status listener up')
    } catch (error) {
      // The status listener carries no traffic: the gateway serves on without it.
      this.log.error({ err: error, host: this.config.gateway.status?.host, port: this.config.gateway.status?.port }, 'status listener could not bind; serving without it')
    }
  }

  private fork (index: number): void {
    const worker = cluster.fork({ TOLLGATE_WORKER_SLOT: String(index) })
    this.slots.set(worker.id, { worker, startedAt: Date.now(), index, ready: false })
    this.node.forked(index, worker)
    worker.on('message', (message: ToPrimary) => this.onMessage(worker, message))
  }

  private onMessage (worker: ClusterWorker, message: ToPrimary): void {
    if (message.type === 'hello') {
      const slot = this.slots.get(worker.id)
      if (slot !== undefined) slot.ready = true
      // Sent once the worker's message handler is in place (an ES module loads asynchronously,
      // so cluster's 'online' comes too early: a message sent then could be lost).
      if (this.leaderId === undefined || !this.slots.has(this.leaderId)) this.leaderId = worker.id
      this.send(worker, { type: 'config', version: this.version, config: this.config, leader: worker.id === this.leaderId })
      this.upstreamHealth.greet((health) => this.send(worker, health))
    } else if (message.type === 'metrics') {
      this.metrics?.received(worker, message.metrics)
      this.node.degradedIn(worker, message.degraded)
    } else if (message.type === 'target-states') {
      this.upstreamHealth.onWorkerStates(worker.process.pid ?? 0, message.targets)
    } else if (message.type === 'applied') {
      this.node.applied(worker, message.version, message.ports)
      this.log.info({ worker: worker.process.pid, version: message.version, ports: message.ports }, 'worker serving config version')
    } else if (message.type === 'refused') {
      this.log.error({ worker: worker.process.pid, version: message.version, reason: message.reason }, 'worker refused config version')
    } else {
      for (const listener of this.workerListeners) listener(worker, message)
    }
  }

  private onExit (worker: ClusterWorker, code: number | null, signal: string | null): void {
    const slot = this.slots.get(worker.id)
    this.slots.delete(worker.id)
    this.node.exited(worker)
    this.metrics?.exited(worker)
    if (worker.process.pid !== undefined) this.profiler.onWorkerExit(worker.process.pid)
    this.upstreamHealth.onWorkerExit(worker.process.pid ?? 0)
    if (this.stopping) {
      if (this.slots.size === 0) this.exit(0)
      return
    }
    const lived = slot === undefined ? 0 : Date.now() - slot.startedAt
    const delay = this.backoff.nextDelayMs(lived)
    this.log.error({ worker: worker.process.pid, code, signal, restart_in_ms: delay }, 'worker exited; restarting')
    const index = slot?.index ?? this.freeIndex()
    setTimeout(() => { if (!this.stopping) this.fork(index) }, delay)
  }

  /** A slot index no live worker holds (a worker exited before its slot was recorded). */
  private freeIndex (): number {
    const taken = new Set([...this.slots.values()].map((s) => s.index))
    let i = 0
    while (taken.has(i)) i++
    return i
  }

  /** Loads the file again; a bad file is reported with every problem and the running config stays. */
  async reload (): Promise<void> {
    const loaded = await loadGatewayConfig(this.options.configPath)
    for (const warning of loaded.warnings) this.log.warn({ file: warning.file, reason: warning.reason }, 'plugin refused')
    if (!loaded.ok) {
      this.log.error({ problems: loaded.problems }, `reload refused; the running config stays:\n${formatProblems(loaded.problems)}`)
      this.node.lastReloadProblems = formatProblems(loaded.problems).split('\n')
      return
    }
    this.config = loaded.config
    this.upstreamHealth.update(this.config)
    this.version++
    this.node.reloaded(this.version)
    this.status?.updateToken(this.config.gateway.status?.token)
    this.log.info({ version: this.version }, 'config reloaded; handing it to the workers')
    for (const { worker } of this.slots.values()) {
      this.send(worker, { type: 'config', version: this.version, config: this.config, leader: worker.id === this.leaderId })
    }
  }

  private async shutdown (signal: string): Promise<void> {
    if (this.stopping) return
    this.stopping = true
    this.node.stopping = true
    this.upstreamHealth.stop()
    const drainMs = this.config.gateway.timeouts.drain_ms
    this.log.info({ signal, drain_ms: drainMs }, 'draining')
    if (this.slots.size === 0) return this.exit(0)
    this.broadcast({ type: 'drain', timeoutMs: drainMs })
    // Workers exit on their own after the drain; this only catches one that hangs.
    setTimeout(() => {
      for (const { worker } of this.slots.values()) worker.process.kill('SIGKILL')
      this.exit(0)
    }, drainMs + 5000).unref()
  }

  private broadcast (message: ToWorker): void {
    for (const { worker } of this.slots.values()) this.send(worker, message)
  }

  private send (worker: ClusterWorker, message: ToWorker): void {
    if (worker.isConnected()) worker.send(message)
  }

  private exit (code: number): void {
    void this.status?.close()
    rmSync(this.options.pidFile, { force: true })
    this.log.info({}, 'stopped')
    process.exit(code)
  }
}

/** Loads the config and starts the primary; a bad config exits 1 with every problem listed. */
export async function runPrimary (options: PrimaryOptions): Promise<void> {
  const loaded = await loadGatewayConfig(options.configPath)
  const level = loaded.ok ? loaded.config.gateway.log.level : 'info'
  const log = createLogger('primary', level)
  for (const warning of loaded.warnings) log.warn({ file: warning.file, reason: warning.reason }, 'plugin refused')
  if (!loaded.ok) {
    process.stderr.write(`tollgate: the configuration is invalid:\n${formatProblems(loaded.problems)}\n`)
    process.exit(1)
  }
  const primary = new Primary(loaded.config, options, log)
  primary.start()
}
