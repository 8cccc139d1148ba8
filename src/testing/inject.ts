import { WorkerRedis } from '../redis/worker-redis.js'
import { Readable } from 'node:stream'
import { validateConfig } from '../config/validate.js'
import { formatProblems } from '../config/problems.js'
import type { Logger } from '../kit/logger.js'
import type { PluginDefinition } from '../kit/plugin.js'
import { silentLogger } from '../observability/log.js'
import { handleRequest, type RequestDriver } from '../pipeline/handle-request.js'
import { BUNDLED_PLUGINS } from '../plugins/registry.js'
import { buildSnapshot } from '../runtime/build-snapshot.js'
import { retireIfIdle } from '../runtime/retire.js'
import type { Snapshot } from '../runtime/snapshot.js'
import { TransportPool } from '../runtime/transports.js'
import { WorkerEvents } from '../runtime/worker-events.js'
import { TargetRegistry } from '../upstream/targets.js'
import { MemorySink, type InjectedResponse } from './memory-sink.js'

type AnyPlugin = PluginDefinition<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** One request for inject(). */
export interface InjectRequest {
  method?: string
  /** Path and query as sent on the request line. */
  url: string
  headers?: Record<string, string>
  body?: string | Buffer
  peerIp?: string
}

/**
 * The gateway's request path in-process, without listeners or workers: a config document is
 * validated and compiled exactly as a worker does, and `inject()` runs one request through the
 * real pipeline (plugins, router, proxy to real upstreams). For handler and pipeline tests.
 */
export class InProcessGateway implements RequestDriver {
  snapshot: Snapshot | undefined
  draining = false
  readonly log: Logger
  readonly events = new WorkerEvents()
  private readonly plugins: Map<string, AnyPlugin>
  /** The per-target state (in-flight, failures, ejection) shared by every config version loaded. */
  readonly targets = new TargetRegistry()
  private readonly transports = new TransportPool()
  private readonly redis: WorkerRedis
  private version = 0

  constructor (options: { plugins?: AnyPlugin[], log?: Logger } = {}) {
    this.log = options.log ?? silentLogger
    this.redis = new WorkerRedis(this.log)
    this.plugins = new Map([...BUNDLED_PLUGINS, ...(options.plugins ?? [])].map((p) => [p.name, p]))
  }

  /** Validates and applies a config document (the YAML file's shape); throws listing every problem. */
  load (document: unknown): this {
    const result = validateConfig(document, { file: 'inject', baseDir: process.cwd(), pluginSchema: (name) => this.plugins.get(name)?.schema })
    if (!result.ok) throw new Error(`invalid config:\n${formatProblems(result.problems)}`)
    const previous = this.snapshot
    this.snapshot = buildSnapshot(result.config, ++this.version, {
      findPlugin: (name) => this.plugins.get(name),
      targets: this.targets,
      transports: this.transports,
      events: this.events,
      log: this.log,
      workerId: 0,
      redis: this.redis.handleFor(result.config.gateway.redis)
    })
    if (previous !== undefined) {
      previous.retired = true
      retireIfIdle(previous)
    }
    return this
  }

  inject (request: InjectRequest): Promise<InjectedResponse> {
    const sink = new MemorySink()
    const body = request.body === undefined ? null : Buffer.from(request.body)
    const raw: string[] = []
    for (const [name, value] of Object.entries(request.headers ?? {})) raw.push(name, value)
    if (!raw.some((v, i) => i % 2 === 0 && v.toLowerCase() === 'host')) raw.push('host', 'localhost')
    if (body !== null) raw.push('content-length', String(body.length))
    handleRequest(this, {
      method: request.method ?? 'GET',
      target: request.url,
      httpVersion: '1.1',
      rawHeaders: raw,
      authority: undefined,
      peerIp: request.peerIp ?? '127.0.0.1',
      localPort: 80,
      tls: false,
      body: body === null ? null : Readable.from([body]),
      bodyLength: body === null ? 0 : body.length
    }, sink)
    return sink.done
  }

  /** Releases plugin states and upstream connections. */
  async close (): Promise<void> {
    if (this.snapshot !== undefined) {
      this.snapshot.retired = true
      retireIfIdle(this.snapshot)
    }
    await this.transports.closeAll()
    this.redis.close()
  }
}
