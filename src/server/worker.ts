import cluster from 'node:cluster'
import type { GatewayConfig } from '../config/gateway-config.js'
import type { Logger } from '../kit/logger.js'
import { createLogger } from '../observability/log.js'
import { handleRequest, type RequestDriver } from '../pipeline/handle-request.js'
import { BUNDLED_PLUGINS } from '../plugins/registry.js'
import { loadThirdPartyPlugins } from '../plugins/load-third-party.js'
import { buildSnapshot } from '../runtime/build-snapshot.js'
import { retireIfIdle } from '../runtime/retire.js'
import type { Snapshot } from '../runtime/snapshot.js'
import { TransportPool } from '../runtime/transports.js'
import { WorkerEvents } from '../runtime/worker-events.js'
import { TargetRegistry } from '../upstream/targets.js'
import { PassiveHealthReporter } from '../upstream/health/passive-report.js'
import type { TargetHealthMessage } from '../upstream/active-health/upstream-health.js'
import { performance } from 'node:perf_hooks'
import { activeRequests } from './active-requests.js'
import { ListenerSet } from './listener-set.js'
import type { ToPrimary, ToWorker } from './messages.js'
import { PluginSet } from './load-config.js'
import { WorkerRedis } from '../redis/worker-redis.js'
import { WorkerReporter } from '../metrics/worker-reporter.js'
import { addWorkerCollectors } from '../metrics/worker-collectors.js'
import { addRedisPluginCollectors } from '../metrics/redis-plugin-collectors.js'
import { observability } from '../tracing/observability-settings.js'
import { answerProfilerRequest } from '../profiler/worker-profiler.js'
import type { ControlPlaneSource } from '../config-source/control-plane-source.js'
import type { MerchantDirectory } from '../kit/merchant.js'
import { dnsCacheFor, type DnsCacheInUse } from '../upstream/dns/dns-cache.js'
import { wantedNamesOf } from '../upstream/dns/resolved-targets.js'
import { resolverSettingsOf } from '../upstream/dns/settings.js'

/**
 * A worker process: holds the request path. Receives config versions from the primary, compiles
 * each into a snapshot and swaps it in atomically; drains on request.
 */
export class Worker implements RequestDriver {
  snapshot: Snapshot | undefined = undefined
  draining = false
  readonly log: Logger
  private readonly events = new WorkerEvents()
  private readonly targets = new TargetRegistry()
  private readonly transports = new TransportPool()
  private readonly redis: WorkerRedis
  private listeners: ListenerSet | undefined
  private plugins: PluginSet | undefined
  private pluginsDir: string | undefined
  /** Ships metric totals to the primary. */
  readonly reporter: WorkerReporter
  /** Answers for target host names, with the `gateway.dns` settings (as JSON) they were made with. */
  private dns: DnsCacheInUse | undefined
  /** The control-plane config source, while the bootstrap names one (its settings as JSON). */
  private source: { settings: string, source: ControlPlaneSource } | undefined
  /** Whether this worker writes the node heartbeat and the last-good route table file. */
  private leader = false

  constructor (log: Logger, send: (message: ToPrimary) => void = () => {}) {
    this.log = log
    this.redis = new WorkerRedis(log)
    this.reporter = new WorkerReporter(send)
    addWorkerCollectors({
      slot: process.env.TOLLGATE_WORKER_SLOT ?? String(cluster.worker?.id ?? 0),
      targets: this.targets,
      serviceTargets: () => new Map([...this.snapshot?.services.values() ?? []].map((s) => [s.id, s.targets.map((t) => t.id)])),
      nowMs: () => performance.now()
    })
    addRedisPluginCollectors()
  }

  /**
   * Applies a config from the primary: a file config is compiled and swapped in at once; a
   * control-plane bootstrap starts (or keeps) the source, which installs route tables as they come.
   */
  async apply (config: GatewayConfig, version: number, leader = false): Promise<number[]> {
    this.leader = leader
    if (config.config_source.kind === 'control-plane') return await this.applyBootstrap(config)
    await this.stopSource()
    return await this.install(config, version, undefined)
  }

  /** The control-plane source of this worker, if any (its stats and cache, for tests and metrics). */
  get configSource (): ControlPlaneSource | undefined {
    return this.source?.source
  }

  private async applyBootstrap (config: GatewayConfig): Promise<number[]> {
    const settings = JSON.stringify({ source: config.config_source, redis: config.gateway.redis })
    if (this.source?.settings === settings) {
      // Same source: the node settings changed; the running route table is rebuilt with them.
      this.source.source.leader = this.leader
      this.source.source.reloadRouteTable('resync')
      return this.listeners?.ports ?? []
    }
    await this.stopSource()
    const plugins = await this.pluginsFor(config.gateway.plugins_dir)
    // Loaded on demand: a file-source worker never pays for gRPC and the cache modules at start.
    const { ControlPlaneSource } = await import('../config-source/control-plane-source.js')
    const source = new ControlPlaneSource({
      bootstrap: config,
      log: this.log,
      pluginSchema: plugins.schemaOf,
      leader: this.leader,
      metricsSlot: process.env.TOLLGATE_WORKER_SLOT ?? String(cluster.worker?.id ?? 0),
      install: async (routeTable, version, merchants) => { await this.install(routeTable, version, merchants) }
    })
    this.source = { settings, source }
    await source.start()
    return this.listeners?.ports ?? []
  }

  private async stopSource (): Promise<void> {
    const current = this.source
    this.source = undefined
    await current?.source.stop()
  }

  /** Compiles and swaps in a config version; listeners are opened with the first one. */
  private async install (config: GatewayConfig, version: number, merchants: MerchantDirectory | undefined): Promise<number[]> {
    const plugins = await this.pluginsFor(config.gateway.plugins_dir)
    // Names are resolved before the version is compiled: the request path only reads answers.
    const dnsInUse = dnsCacheFor(this.dns, resolverSettingsOf(config.gateway), this.log)
    const dns = dnsInUse.cache
    const names = wantedNamesOf(config.services)
    await dns.prepare(names)
    let next: Snapshot
    try {
      next = buildSnapshot(config, version, {
        merchants,
        dns,
        findPlugin: (name) => plugins.find(name),
        targets: this.targets,
        transports: this.transports,
        events: this.events,
        log: this.log,
        workerId: cluster.worker?.id ?? 0,
        redis: this.redis.handleFor(config.gateway.redis)
      })
    } catch (error) {
      if (this.dns !== dnsInUse) dns.stop()
      throw error
    }
    if ('level' in this.log) (this.log as { level: string }).level = config.gateway.log.level
    this.reporter.configure(config.gateway)
    observability.configure(config.gateway, this.log)
    // Targets no service lists any more are forgotten once idle; the others keep their counters.
    this.targets.prune(this.targets.listedIds())
    dns.retain(names)
    if (this.dns !== dnsInUse) {
      this.dns?.cache.stop()
      this.dns = dnsInUse
    }
    if (this.listeners === undefined) {
      this.listeners = new ListenerSet(config, (request, sink) => { handleRequest(this, request, sink) }, this.log)
      const ports = await this.listeners.open()
      this.swap(next)
      return ports
    }
    this.listeners.update(config)
    this.swap(next)
    return this.listeners.ports
  }

  /** Stops accepting, lets in-flight requests finish (at most `timeoutMs`), flushes plugins, exits. */
  async drain (timeoutMs: number): Promise<void> {
    if (this.draining) return
    this.draining = true
    this.listeners?.stopAccepting()
    const deadline = Date.now() + timeoutMs
    while (activeRequests.count > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50))
      this.listeners?.closeIdle()
    }
    if (activeRequests.count > 0) {
      this.log.warn({ in_flight: activeRequests.count }, 'drain timeout passed; closing remaining connections')
      this.listeners?.closeAll()
    }
    // Last totals to the primary, so the requests of the drain are not lost from the node's.
    this.reporter.report()
    await observability.flush()
    await this.events.emitAndWait('drain', 2000)
    await this.stopSource()
    this.dns?.cache.stop()
    await this.transports.closeAll()
  }

  /** An active-health verdict of the primary. */
  applyTargetHealth (message: TargetHealthMessage): void {
    this.targets.setActiveHealth(message.targetId, message.serviceId, message.healthy, performance.now())
  }

  /** Reports the passive state of the targets to the primary, every second when it changed. */
  reportTargetStates (send: (message: ToPrimary) => void): void {
    new PassiveHealthReporter(this.targets, (targets) => send({ type: 'target-states', targets })).start()
  }

  reopenLogs (): void {
    this.events.emit('reopen-logs')
  }

  private swap (next: Snapshot): void {
    const previous = this.snapshot
    this.snapshot = next
    if (previous !== undefined) {
      previous.detach()
      previous.retired = true
      retireIfIdle(previous)
    }
  }

  private async pluginsFor (dir: string | undefined): Promise<PluginSet> {
    if (this.plugins !== undefined && dir === this.pluginsDir) return this.plugins
    let plugins = [...BUNDLED_PLUGINS]
    if (dir !== undefined) {
      const loaded = await loadThirdPartyPlugins(dir, new Set(BUNDLED_PLUGINS.map((p) => p.name)))
      plugins = plugins.concat(loaded.plugins)
    }
    this.plugins = new PluginSet(plugins)
    this.pluginsDir = dir
    return this.plugins
  }
}

/** Entry point of a worker process (forked by the primary through node:cluster). */
export function runWorker (): void {
  const log = createLogger('worker')
  const send = (message: ToPrimary): void => { process.send?.(message) }
  const worker = new Worker(log, send)
  process.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'config':
        worker.apply(message.config, message.version, message.leader).then(
          (ports) => send({ type: 'applied', version: message.version, ports }),
          (error: unknown) => {
            log.error({ err: error, version: message.version }, 'config version refused by worker')
            send({ type: 'refused', version: message.version, reason: (error as Error).message })
          })
        break
      case 'drain':
        worker.drain(message.timeoutMs).then(() => process.exit(0), (error: unknown) => {
          log.error({ err: error }, 'drain failed')
          process.exit(1)
        })
        break
      case 'reopen-logs':
        worker.reopenLogs()
        break
      case 'collect-metrics':
        worker.reporter.report()
        break
      case 'profile':
      case 'heap-snapshot':
        answerProfilerRequest(message, send)
        break
      case 'target-health':
        worker.applyTargetHealth(message)
        break
    }
  })
  send({ type: 'hello' })
  worker.reportTargetStates(send)
  // The primary drives shutdown; a signal sent to the whole process group must not kill workers
  // before they drained.
  process.on('SIGTERM', () => {})
  process.on('SIGINT', () => {})
  process.on('SIGHUP', () => {})
  process.on('SIGUSR1', () => {})
  process.on('uncaughtException', (error) => {
    log.error({ err: error }, 'uncaught exception in worker; continuing')
  })
  process.on('unhandledRejection', (reason) => {
    log.error({ err: reason }, 'unhandled rejection in worker; continuing')
  })
}
