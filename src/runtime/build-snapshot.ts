import { compileTgRpcRoute } from '../conversion/tgrpc/route-call.js'
import { routeBinding } from '../conversion/grpc/http-rules/bindings.js'
import { performance } from 'node:perf_hooks'
import type { GatewayConfig, PluginBindingConfig, RouteConfig } from '../config/gateway-config.js'
import type { Logger } from '../kit/logger.js'
import type { PluginDefinition, PluginEnv } from '../kit/plugin.js'
import type { MerchantDirectory } from '../kit/merchant.js'
import type { RedisHandle } from '../kit/redis.js'
import { ChainIndex, type ScopedBinding } from '../pipeline/compile.js'
import { TrustedProxies } from '../pipeline/forwarded.js'
import { compileRouter } from '../router/router.js'
import type { TargetRegistry } from '../upstream/targets.js'
import type { ServiceRuntime } from '../upstream/service.js'
import type { GrpcServiceRuntime } from '../conversion/grpc/service-runtime.js'
import type { UpstreamTimeouts } from '../upstream/transport/transport.js'
import type { DnsCache } from '../upstream/dns/dns-cache.js'
import { buildService, followHostNames } from './build-service.js'
import { InMemoryMerchantDirectory } from './merchant-directory.js'
import type { RouteRuntime, Snapshot } from './snapshot.js'
import type { TransportPool } from './transports.js'
import type { WorkerEvents } from './worker-events.js'

/** What a worker keeps across config versions and hands to each new snapshot. */
export interface SnapshotDeps {
  readonly findPlugin: (name: string) => PluginDefinition<any, any> | undefined // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly targets: TargetRegistry
  readonly transports: TransportPool
  /** The worker's answers for target host names (undefined: names are left to the system on connect). */
  readonly dns?: DnsCache | undefined
  readonly events: WorkerEvents
  readonly log: Logger
  readonly workerId: number
  /** The worker's Redis connection for this config (undefined without `gateway.redis`). */
  readonly redis: RedisHandle | undefined
  /** Where merchants are looked up; default the config's own merchants, in memory (file source). */
  readonly merchants?: MerchantDirectory | undefined
}

/**
 * Compiles a validated config into the objects the request path uses: router, services with
 * balancers and transports, and the plugin chains. Throws (with the plugin named) when a plugin's
 * `compile` fails, so the caller keeps the running snapshot.
 */
export function buildSnapshot (config: GatewayConfig, version: number, deps: SnapshotDeps): Snapshot {
  const merchants = deps.merchants ?? new InMemoryMerchantDirectory(config.merchants)
  const services = new Map<string, ServiceRuntime>()
  const members = new Map<string, string[]>()
  for (const service of config.services) {
    const runtime = buildService(service, deps)
    members.set(service.id, runtime.targets.map((target) => target.id))
    services.set(service.id, runtime)
  }
  const routes = new Map<string, RouteRuntime>()
  for (const route of config.routes) {
    routes.set(route.id, {
      id: route.id,
      serviceId: route.service,
      preserveHost: route.preserve_host,
      timeouts: routeTimeouts(route, services.get(route.service)?.timeouts),
      retryable: route.retryable,
      tgrpc: route.tgrpc === undefined ? undefined : compileTgRpcRoute(route.tgrpc),
      grpc: route.grpc === undefined ? undefined : routeBinding((services.get(route.service)?.grpc as GrpcServiceRuntime).schema, route.grpc)
    })
  }
  const bindings = compileBindings(config, merchants, deps)
  // Last, once nothing can refuse this version: targets that joined a running service ramp up,
  // and services follow the DNS answers of their host names until the version is replaced.
  const nowMs = performance.now()
  for (const id of deps.targets.enrol(members)) deps.targets.startRamp(id, nowMs)
  const unfollow: Array<() => void> = []
  for (const service of config.services) {
    const stop = followHostNames(services.get(service.id) as ServiceRuntime, service, deps)
    if (stop !== undefined) unfollow.push(stop)
  }
  const settings = config.gateway
  return {
    version,
    router: compileRouter(config.routes),
    routes,
    services,
    chains: new ChainIndex(bindings, config.routes),
    bindings,
    merchants,
    proxy: {
      forwarded: settings.forwarded,
      trustedProxies: new TrustedProxies(settings.trusted_proxies),
      requestIdHeader: settings.request_id.header
    },
    limits: {
      maxHeaderCount: settings.limits.max_header_count,
      maxUrlBytes: settings.limits.max_url_bytes,
      maxBodyBytes: settings.limits.max_body_bytes
    },
    requestId: {
      header: settings.request_id.header,
      trustIncoming: settings.request_id.trust_incoming,
      fromAnyPeer: settings.request_id.trust_incoming_from_any
    },
    inFlight: 0,
    retired: false,
    detach: () => { for (const stop of unfollow.splice(0)) stop() }
  }
}

/** A route's timeouts: each field it sets overrides the service's; undefined when it sets none. */
function routeTimeouts (route: RouteConfig, service: UpstreamTimeouts | undefined): UpstreamTimeouts | undefined {
  const own = route.timeouts
  if (own === undefined || service === undefined) return undefined
  return {
    connectMs: own.connect_ms ?? service.connectMs,
    sendMs: own.send_ms ?? service.sendMs,
    readMs: own.read_ms ?? service.readMs
  }
}

function compileBindings (config: GatewayConfig, merchants: MerchantDirectory, deps: SnapshotDeps): ScopedBinding[] {
  const compiled: ScopedBinding[] = []
  try {
    for (const binding of config.plugins) compiled.push(compileBinding(binding, merchants, deps))
  } catch (error) {
    // Release what the bindings compiled so far hold (files, timers) before refusing the version.
    for (const done of compiled) if (done.enabled) done.plugin.destroy?.(done.state)
    throw error
  }
  return compiled
}

function compileBinding (binding: PluginBindingConfig, merchants: MerchantDirectory, deps: SnapshotDeps): ScopedBinding {
  {
    const plugin = deps.findPlugin(binding.name)
    if (plugin === undefined) throw new Error(`plugin '${binding.name}' (binding ${binding.id}) is not loaded`)
    const env: PluginEnv = {
      log: deps.log.child({ plugin: binding.name, binding: binding.id }),
      merchants,
      workerId: deps.workerId,
      on: (event, listener) => deps.events.on(event, listener),
      bindingId: binding.id,
      redis: deps.redis
    }
    let state: unknown = binding.config
    if (binding.enabled && plugin.compile !== undefined) {
      try {
        state = plugin.compile(binding.config, env)
      } catch (error) {
        throw new Error(`plugin '${binding.name}' (binding ${binding.id}) failed to compile its config: ${(error as Error).message}`, { cause: error })
      }
    }
    return {
      id: binding.id,
      name: binding.name,
      plugin,
      state,
      priority: binding.priority ?? plugin.priority,
      enabled: binding.enabled,
      scope: { route: binding.route, service: binding.service, merchant: binding.merchant }
    }
  }
}
