import { LRUCache } from 'lru-cache'
import { buildChain, type Chain, type CompiledBinding } from './chain.js'

/** Where a binding applies; the scope is given by which ids are set. */
export interface BindingScope {
  readonly route?: string | undefined
  readonly service?: string | undefined
  readonly merchant?: string | undefined
}

export type ScopedBinding = CompiledBinding & { readonly scope: BindingScope }

/** How many (route, merchant) overlay chains a worker memoises before evicting the least used. */
const MAX_OVERLAYS = 50_000

/**
 * Route and merchant chains of one config version (DESIGN.md §3). For the same plugin name the most
 * specific binding wins: route+merchant > route > merchant > service > global. A disabled binding
 * wins like any other and switches the plugin off at its scope. Route chains are compiled up front;
 * merchant overlays on first use per (route, merchant) and memoised.
 */
export class ChainIndex {
  private readonly global = new Map<string, ScopedBinding>()
  private readonly byService = new Map<string, Map<string, ScopedBinding>>()
  private readonly byRoute = new Map<string, Map<string, ScopedBinding>>()
  private readonly byMerchant = new Map<string, Map<string, ScopedBinding>>()
  private readonly byRouteMerchant = new Map<string, Map<string, ScopedBinding>>()
  private readonly routeChains = new Map<string, Chain>()
  private readonly overlays = new LRUCache<string, Chain>({ max: MAX_OVERLAYS })
  private readonly emptyChain = buildChain([])

  constructor (bindings: readonly ScopedBinding[], routes: ReadonlyArray<{ id: string, service: string }>) {
    for (const binding of bindings) this.file(binding)
    for (const route of routes) this.routeChains.set(route.id, buildChain(this.effective(route.id, route.service, undefined)))
  }

  /** The chain of a route before any merchant is known. */
  forRoute (routeId: string): Chain {
    return this.routeChains.get(routeId) ?? this.emptyChain
  }

  /** The chain once `merchantId` is identified; the route chain itself when no binding names the merchant. */
  forMerchant (routeId: string, serviceId: string, merchantId: string): Chain {
    if (!this.byMerchant.has(merchantId) && !this.byRouteMerchant.has(`${routeId}\u0000${merchantId}`)) {
      return this.forRoute(routeId)
    }
    const key = `${routeId}\u0000${merchantId}`
    let chain = this.overlays.get(key)
    if (chain === undefined) {
      chain = buildChain(this.effective(routeId, serviceId, merchantId))
      this.overlays.set(key, chain)
    }
    return chain
  }

  private effective (routeId: string, serviceId: string, merchantId: string | undefined): Iterable<ScopedBinding> {
    // Least specific first, so each more specific level overwrites the same plugin name.
    const merged = new Map(this.global)
    const levels = [
      this.byService.get(serviceId),
      merchantId === undefined ? undefined : this.byMerchant.get(merchantId),
      this.byRoute.get(routeId),
      merchantId === undefined ? undefined : this.byRouteMerchant.get(`${routeId}\u0000${merchantId}`)
    ]
    for (const level of levels) if (level !== undefined) for (const [name, binding] of level) merged.set(name, binding)
    return merged.values()
  }

  private file (binding: ScopedBinding): void {
    const { route, service, merchant } = binding.scope
    let level: Map<string, ScopedBinding>
    if (route !== undefined && merchant !== undefined) level = levelOf(this.byRouteMerchant, `${route}\u0000${merchant}`)
    else if (route !== undefined) level = levelOf(this.byRoute, route)
    else if (merchant !== undefined) level = levelOf(this.byMerchant, merchant)
    else if (service !== undefined) level = levelOf(this.byService, service)
    else level = this.global
    level.set(binding.name, binding)
  }
}

function levelOf (index: Map<string, Map<string, ScopedBinding>>, key: string): Map<string, ScopedBinding> {
  let level = index.get(key)
  if (level === undefined) {
    level = new Map()
    index.set(key, level)
  }
  return level
}
