// Builds PluginContext and PluginEnv values for plugin handler tests, faithful to src/kit.
import type { RedisHandle } from '../../src/kit/redis.js'
import { HeaderList } from '../../src/kit/headers.js'
import { GatewayError } from '../../src/errors.js'
import type {
  GatewayRequest, GatewayResponse, PluginContext, PluginSlots, RequestTimings, UpstreamInfo
} from '../../src/kit/context.js'
import type { Logger } from '../../src/kit/logger.js'
import type { Merchant, MerchantDirectory } from '../../src/kit/merchant.js'
import type { PluginEnv } from '../../src/kit/plugin.js'

/** One record a {@link RecordingLogger} kept. */
export interface LogRecord {
  readonly level: 'error' | 'warn' | 'info' | 'debug'
  readonly obj: object
  readonly msg: string | undefined
}

/** A silent logger that keeps what it was given, so tests can assert on warnings. */
export interface RecordingLogger extends Logger {
  readonly records: LogRecord[]
}

/** A logger that prints nothing and records every call (children share the parent's records). */
export function recordingLogger (records: LogRecord[] = []): RecordingLogger {
  const at = (level: LogRecord['level']) => (obj: object, msg?: string): void => { records.push({ level, obj, msg }) }
  return {
    records,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => recordingLogger(records)
  }
}

/** A merchant with defaults: active, no groups. */
export function makeMerchant (id: string, overrides: Partial<Merchant> = {}): Merchant {
  return { id, name: `merchant ${id}`, status: 'active', groups: [], ...overrides }
}

/** What a test request may set; everything has a default. Headers may repeat a name via arrays. */
export interface RequestInit {
  id?: string
  method?: string
  path?: string
  /** Raw query without '?'. */
  query?: string
  headers?: Record<string, string | string[]>
  host?: string
  scheme?: 'http' | 'https'
  clientIp?: string
  peerIp?: string
  httpVersion?: string
  bodyLength?: number
  body?: Buffer
  /** Told of every `request.limitBody(maxBytes)` call. */
  onLimitBody?: (maxBytes: number) => void
}

/** Splits a raw query into its `name=value` segments, keeping their raw text. */
function segments (query: string): string[] {
  return query === '' ? [] : query.split('&')
}

function decode (part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '))
  } catch {
    return part
  }
}

function nameOf (segment: string): string {
  const eq = segment.indexOf('=')
  return decode(eq === -1 ? segment : segment.slice(0, eq))
}

/** A GatewayRequest over plain values, with query parameter access like the gateway's. */
export function makeRequest (init: RequestInit = {}): GatewayRequest {
  const headers = new HeaderList()
  for (const [name, value] of Object.entries(init.headers ?? {})) {
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name.toLowerCase(), one)
  }
  let body = init.body ?? Buffer.alloc(0)
  let bodyLength = 'bodyLength' in init ? init.bodyLength : (init.body === undefined ? 0 : body.length)
  return {
    id: init.id ?? 'req-1',
    method: init.method ?? 'GET',
    path: init.path ?? '/',
    query: init.query ?? '',
    headers,
    host: init.host ?? 'api.example.test',
    scheme: init.scheme ?? 'https',
    clientIp: init.clientIp ?? '203.0.113.7',
    peerIp: init.peerIp ?? init.clientIp ?? '203.0.113.7',
    httpVersion: init.httpVersion ?? '1.1',
    // An explicit `bodyLength: undefined` stands for a chunked body.
    get bodyLength () { return bodyLength },
    queryParam (name: string): string | undefined {
      for (const segment of segments(this.query)) {
        if (nameOf(segment) !== name) continue
        const eq = segment.indexOf('=')
        return eq === -1 ? '' : decode(segment.slice(eq + 1))
      }
      return undefined
    },
    deleteQueryParam (name: string): void {
      this.query = segments(this.query).filter((segment) => nameOf(segment) !== name).join('&')
    },
    limitBody (maxBytes: number): void {
      init.onLimitBody?.(maxBytes)
    },
    readBody: async (maxBytes?: number) => {
      if (maxBytes !== undefined && body.length > maxBytes) throw new GatewayError('TG_REQUEST_BODY_TOO_LARGE')
      return body
    },
    // Test requests hold their body in memory, so it counts as read: the replacement is what later reads return.
    replaceBody (replacement: Buffer): void {
      body = replacement
      bodyLength = replacement.length
      if (this.headers.has('content-length')) this.headers.set('content-length', String(replacement.length))
    }
  }
}

/** What a test response may set. */
export interface ResponseInit {
  status?: number
  headers?: Record<string, string>
  bytesSent?: number
  generated?: boolean
  errorCode?: string
}

/** A GatewayResponse for header-filter and log tests. */
export function makeResponse (init: ResponseInit = {}): GatewayResponse {
  const headers = new HeaderList()
  for (const [name, value] of Object.entries(init.headers ?? {})) headers.append(name.toLowerCase(), value)
  return {
    status: init.status ?? 200,
    headers,
    bytesSent: init.bytesSent ?? 0,
    generated: init.generated ?? false,
    errorCode: init.errorCode
  }
}

/** What a test context may set. */
export interface ContextInit {
  request?: RequestInit
  /** Given for response- and log-phase tests. */
  response?: ResponseInit
  routeId?: string
  serviceId?: string
  merchant?: Merchant
  slots?: PluginSlots
  timings?: Partial<RequestTimings>
  upstream?: UpstreamInfo
  trace?: { traceId: string, spanId: string }
  logger?: RecordingLogger
}

/** A PluginContext whose `identify()` calls are recorded in `identified`. */
export interface TestContext extends PluginContext {
  readonly identified: Merchant[]
  readonly log: RecordingLogger
}

/** Builds a PluginContext as the phase runner would hand it to a plugin. */
export function makeContext (init: ContextInit = {}): TestContext {
  const identified: Merchant[] = []
  let merchant = init.merchant
  return {
    request: makeRequest(init.request),
    response: init.response === undefined ? undefined : makeResponse(init.response),
    routeId: init.routeId ?? 'route-1',
    serviceId: init.serviceId ?? 'service-1',
    get merchant () { return merchant },
    identify (found: Merchant): void {
      merchant = found
      identified.push(found)
    },
    identified,
    slots: init.slots ?? {},
    timings: { startedAtEpochMs: 0, gatewayMs: -1, upstreamMs: -1, totalMs: -1, phaseMs: { rewrite: -1, access: -1, content: -1 }, ...init.timings },
    upstream: init.upstream,
    trace: init.trace,
    log: init.logger ?? recordingLogger()
  }
}

/** A PluginEnv whose lifecycle events tests can fire with `emit`. */
export interface TestEnv extends PluginEnv {
  readonly log: RecordingLogger
  /** Calls every listener and waits for those that returned a promise, as the worker does on drain. */
  emit (event: 'reopen-logs' | 'drain'): Promise<void>
  /** Listeners currently subscribed, per event. */
  listenerCount (event: 'reopen-logs' | 'drain'): number
}

/** What a test env may set. */
export interface EnvInit {
  merchants?: MerchantDirectory
  bindingId?: string
  workerId?: number
  logger?: RecordingLogger
  redis?: RedisHandle
}

const EMPTY_DIRECTORY: MerchantDirectory = { findByApiKey: () => undefined, findSigningApp: () => undefined, findJwtKeys: () => undefined, findById: () => undefined }

/** Builds the env a plugin's `compile` receives. */
export function makeEnv (init: EnvInit = {}): TestEnv {
  type Listener = () => void | Promise<void>
  const listeners = { 'reopen-logs': new Set<Listener>(), drain: new Set<Listener>() }
  return {
    log: init.logger ?? recordingLogger(),
    merchants: init.merchants ?? EMPTY_DIRECTORY,
    workerId: init.workerId ?? 1,
    bindingId: init.bindingId ?? 'binding-1',
    redis: init.redis,
    on (event, listener) {
      // Wrapped so the same function subscribed twice is two subscriptions, as with an EventEmitter.
      const once: Listener = () => listener()
      listeners[event].add(once)
      return () => { listeners[event].delete(once) }
    },
    async emit (event) {
      await Promise.all([...listeners[event]].map(async (listener) => { await listener() }))
    },
    listenerCount: (event) => listeners[event].size
  }
}
