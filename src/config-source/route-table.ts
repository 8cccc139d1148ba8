import type { TSchema } from '@sinclair/typebox'
import type { GatewayConfig } from '../config/gateway-config.js'
import type { ConfigProblem } from '../config/problems.js'
import { validateConfig } from '../config/validate.js'

/**
 * Gateway settings that belong to the node (its bootstrap file), not to the shared route table.
 * `status` too: the primary opens its status listener from the bootstrap, and the workers must
 * agree with it, or they would never ship the metrics and degraded modes that listener serves.
 */
const NODE_SETTINGS = ['workers', 'listeners', 'redis', 'plugins_dir', 'log', 'restart_backoff', 'status'] as const

/**
 * Turns a route-table document (docs/control-plane.md: the YAML file's shape without merchants)
 * into a validated config for this node: the document's gateway settings with the node's own
 * process settings on top, checked by the same validator as the file (merchant references of
 * bindings are not checked: merchants load lazily).
 */
export function routeTableConfig (bootstrap: GatewayConfig, document: Record<string, unknown>, baseDir: string,
  pluginSchema: (name: string) => TSchema | undefined): { ok: true, config: GatewayConfig } | { ok: false, problems: ConfigProblem[] } {
  const shared = typeof document.gateway === 'object' && document.gateway !== null ? document.gateway as Record<string, unknown> : {}
  const gateway: Record<string, unknown> = { ...shared }
  for (const name of NODE_SETTINGS) {
    if (bootstrap.gateway[name] === undefined) delete gateway[name]
    else gateway[name] = bootstrap.gateway[name]
  }
  const { merchants: _ignored, config_source: _alsoIgnored, ...rest } = document
  const result = validateConfig({ ...rest, gateway, config_source: { kind: 'file' } },
    { file: 'route table', baseDir, pluginSchema, lazyMerchants: true })
  if (!result.ok) return result
  return { ok: true, config: { ...result.config, config_source: bootstrap.config_source } }
}
