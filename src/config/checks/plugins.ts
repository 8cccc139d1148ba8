/** Cross checks of plugin bindings: scope, references, known plugin, config, one binding per scope. */
import type { TSchema } from '@sinclair/typebox'
import type { PluginBindingEntry } from '../schema/plugin.js'
import type { PluginBindingConfig, PluginScope } from '../gateway-config.js'
import { validatorFor, problemsFromAjv } from '../ajv.js'
import type { ProblemList } from '../problems.js'
import type { Item } from './items.js'

/** Ids of the entities a binding may name. */
export interface BindingTargets {
  readonly routes: ReadonlySet<string>
  readonly services: ReadonlySet<string>
  /** Undefined: merchants load lazily, so a binding's merchant is not checked here. */
  readonly merchants: ReadonlySet<string> | undefined
}

/** The scope given by which of route, service and merchant are set; undefined for a forbidden mix. */
export function bindingScope (binding: Pick<PluginBindingEntry, 'route' | 'service' | 'merchant'>): PluginScope | undefined {
  const { route, service, merchant } = binding
  if (service !== undefined) return route === undefined && merchant === undefined ? 'service' : undefined
  if (route !== undefined) return merchant === undefined ? 'route' : 'route+merchant'
  return merchant === undefined ? 'global' : 'merchant'
}

/**
 * The id of a binding without one: `<name>@global`, `<name>@service:<id>`, `<name>@route:<id>`,
 * `<name>@merchant:<id>` or `<name>@route:<id>+merchant:<id>`. Stable while name and scope stay,
 * and never equal to a given id (`@` is not allowed in ids). Two bindings of one plugin at one
 * scope would share it, which is exactly the duplicate the checks refuse.
 */
export function derivedBindingId (binding: Pick<PluginBindingEntry, 'name' | 'route' | 'service' | 'merchant'>): string {
  const parts: string[] = []
  if (binding.service !== undefined) parts.push(`service:${binding.service}`)
  if (binding.route !== undefined) parts.push(`route:${binding.route}`)
  if (binding.merchant !== undefined) parts.push(`merchant:${binding.merchant}`)
  return `${binding.name}@${parts.length === 0 ? 'global' : parts.join('+')}`
}

function checkReferences (at: string, entry: PluginBindingEntry, targets: BindingTargets, problems: ProblemList): void {
  if (entry.route !== undefined && !targets.routes.has(entry.route)) problems.add(`${at}/route`, `unknown route '${entry.route}'`)
  if (entry.service !== undefined && !targets.services.has(entry.service)) problems.add(`${at}/service`, `unknown service '${entry.service}'`)
  if (entry.merchant !== undefined && targets.merchants !== undefined && !targets.merchants.has(entry.merchant)) problems.add(`${at}/merchant`, `unknown merchant '${entry.merchant}'`)
}

/** Validates the binding's config against its plugin's schema, filling in the plugin's defaults. */
function checkPluginConfig (at: string, entry: PluginBindingEntry, schema: TSchema, problems: ProblemList): void {
  let validate
  try {
    validate = validatorFor(schema, 'plugin')
  } catch (error) {
    problems.add(`${at}/config`, `the schema of plugin '${entry.name}' does not compile: ${(error as Error).message}`)
    return
  }
  if (!validate(entry.config)) {
    for (const p of problemsFromAjv(validate.errors, problems.file, `${at}/config`)) problems.add(p.path, p.reason)
  }
}

/**
 * Checks every usable binding and returns them resolved (id, scope, config with defaults). A
 * binding with a problem is still returned; the caller discards the result when any problem exists.
 */
export function checkPluginBindings (bindings: ReadonlyArray<Item<PluginBindingEntry>>, targets: BindingTargets,
  pluginSchema: (name: string) => TSchema | undefined, problems: ProblemList): PluginBindingConfig[] {
  const resolved: PluginBindingConfig[] = []
  const byScopeKey = new Map<string, string>()
  const byId = new Map<string, string>()
  for (const { at, entry } of bindings) {
    const scope = bindingScope(entry)
    if (scope === undefined) {
      problems.add(at, 'service cannot be combined with route or merchant: a binding sets none (global), service, route, merchant, or route and merchant')
      continue
    }
    checkReferences(at, entry, targets, problems)
    const schema = pluginSchema(entry.name)
    if (schema === undefined) problems.add(`${at}/name`, `unknown plugin '${entry.name}'`)
    else checkPluginConfig(at, entry, schema, problems)

    const scopeKey = derivedBindingId(entry)
    const sameScope = byScopeKey.get(scopeKey)
    if (sameScope === undefined) byScopeKey.set(scopeKey, at)
    else problems.add(at, `plugin '${entry.name}' is already bound at this scope (${scope}) by ${sameScope}`)

    const id = entry.id ?? scopeKey
    const sameId = byId.get(id)
    if (sameId === undefined) byId.set(id, at)
    else if (entry.id !== undefined) problems.add(`${at}/id`, `duplicate plugin binding id '${id}' (also at ${sameId})`)
    resolved.push({ ...entry, id, scope })
  }
  return resolved
}
