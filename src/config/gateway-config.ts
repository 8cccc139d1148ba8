/**
 * `GatewayConfig`: the validated, normalised configuration the primary sends to its workers.
 * Every default is filled in, host names are lower-case, methods upper-case, file paths absolute,
 * certificate PEMs loaded, plugin bindings carry an id and a scope. It is plain JSON data
 * (`structuredClone` and IPC safe).
 */
import type { GatewaySettings, ListenerEntry } from './schema/gateway.js'
import type { ServiceEntry } from './schema/service.js'
import type { RouteEntry } from './schema/route.js'
import type { MerchantEntry } from './schema/merchant.js'
import type { PluginBindingEntry } from './schema/plugin.js'
import type { ConfigSourceSettings } from './schema/config-source.js'

/** A listener; `http2` resolved (true by default for https, always false for http). */
export interface ListenerConfig extends Omit<ListenerEntry, 'http2'> {
  http2: boolean
}

/** Global settings; `plugins_dir` is absolute when set, `request_id.header` lower-case. */
export interface GatewaySettingsConfig extends Omit<GatewaySettings, 'listeners'> {
  listeners: ListenerConfig[]
}

/**
 * A service; `path` has no trailing slash (`""` for none), the TLS files (`tls.ca_file`,
 * `cert_file`, `key_file`) are absolute paths (read where used: a private key is not carried in
 * the config, which the control plane stores), an HTTP active check has its `path` and
 * `expected_statuses`, and a grpc service's definitions are inline (`grpc.protos` with every
 * import, or `grpc.descriptor_set`).
 */
export type ServiceConfig = ServiceEntry

/** A route; `hosts` lower-case, `methods` upper-case; absent `hosts`/`methods` mean any. */
export type RouteConfig = RouteEntry

/** A merchant; `name` defaults to the id. */
export interface MerchantConfig extends Omit<MerchantEntry, 'name'> {
  name: string
}

/** Where a plugin binding applies, from the most general to the most specific (DESIGN.md §3). */
export type PluginScope = 'global' | 'service' | 'merchant' | 'route' | 'route+merchant'

/** A plugin binding; `id` given or derived (`<name>@<scope>`), `config` validated with the plugin's defaults. */
export interface PluginBindingConfig extends Omit<PluginBindingEntry, 'id'> {
  id: string
  scope: PluginScope
}

/** A certificate with its PEMs in memory; SNIs lower-case. */
export interface CertificateConfig {
  id: string
  snis: string[]
  /** The certificate chain, PEM. */
  cert: string
  /** The private key, PEM. */
  key: string
  default: boolean
}

/** The whole validated configuration. */
export interface GatewayConfig {
  gateway: GatewaySettingsConfig
  /** Where the route table and merchants come from; `snapshot_file` is absolute when set. */
  config_source: ConfigSourceSettings
  services: ServiceConfig[]
  routes: RouteConfig[]
  merchants: MerchantConfig[]
  plugins: PluginBindingConfig[]
  certificates: CertificateConfig[]
}
