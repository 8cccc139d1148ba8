/** Builds the normalised `GatewayConfig` from a document that passed every check. */
import { resolve } from 'node:path'
import type { ConfigDocument } from './schema/document.js'
import { DEFAULT_CHECK_PATH, DEFAULT_EXPECTED_STATUSES, type ServiceEntry } from './schema/service.js'
import type { CertificateConfig, GatewayConfig, GatewaySettingsConfig, PluginBindingConfig } from './gateway-config.js'
import type { NormalisedDefinitions } from '../conversion/grpc/descriptors/source.js'

function resolveGateway (gateway: ConfigDocument['gateway'], baseDir: string): GatewaySettingsConfig {
  const { plugins_dir: pluginsDir, ...rest } = gateway
  return {
    ...rest,
    listeners: gateway.listeners.map((l) => ({ ...l, http2: l.protocol === 'https' && l.http2 !== false })),
    request_id: { ...gateway.request_id, header: gateway.request_id.header.toLowerCase() },
    ...(gateway.debug_header === undefined ? {} : { debug_header: { ...gateway.debug_header, header: gateway.debug_header.header.toLowerCase() } }),
    ...(pluginsDir === undefined ? {} : { plugins_dir: resolve(baseDir, pluginsDir) })
  }
}

/** A grpc service's definitions in their normalised form (files read, imports found); other services' sections as given. */
function resolveGrpc (grpc: ServiceEntry['grpc'], definitions: NormalisedDefinitions | undefined): ServiceEntry['grpc'] {
  if (definitions === undefined) return grpc
  const { proto: _proto, proto_files: _files, descriptor_set_file: _setFile, ...settings } = grpc
  return { ...settings, import_paths: [], ...definitions } as ServiceEntry['grpc']
}

/** A service's `tls` with absolute file paths. */
function resolveTls (tls: ServiceEntry['tls'], baseDir: string): ServiceEntry['tls'] {
  const resolved = { ...tls }
  for (const field of ['ca_file', 'cert_file', 'key_file'] as const) {
    const file = resolved[field]
    if (file !== undefined) resolved[field] = resolve(baseDir, file)
  }
  return resolved
}

/**
 * An HTTP check's `path` and `expected_statuses` defaults, filled in for http and https services
 * only: the schema cannot default them, as tgrpc and grpc services refuse them when they are set.
 */
function resolveHealthChecks (service: ServiceEntry): ServiceEntry['health_checks'] {
  const active = service.health_checks.active
  if (active === undefined || service.protocol === 'tgrpc' || service.protocol === 'grpc') return service.health_checks
  return { ...service.health_checks, active: { path: DEFAULT_CHECK_PATH, expected_statuses: [...DEFAULT_EXPECTED_STATUSES], ...active } }
}

/** `/api/` → `/api`, `/` → `` (the upstream path is `base + request path`). */
function trimBasePath (path: string): string {
  return path.replace(/\/+$/, '')
}

/**
 * Normalises host names and `hash_header` (lower-case), methods (upper-case), base paths and file paths (absolute
 * from `baseDir`), fills in merchant names, and takes bindings, certificates and gRPC definitions (by service id: inline
 * .proto texts with their imports, or a descriptor set in base64, in place of files) as the checks resolved them. The result is a fresh JSON round trip: plain data with no shared references.
 */
export function resolveConfig (
  doc: ConfigDocument, baseDir: string, plugins: PluginBindingConfig[], certificates: CertificateConfig[], grpcDefinitions: ReadonlyMap<string, NormalisedDefinitions> = new Map()
): GatewayConfig {
  const config: GatewayConfig = {
    gateway: resolveGateway(doc.gateway, baseDir),
    config_source: doc.config_source.snapshot_file === undefined
      ? doc.config_source
      : { ...doc.config_source, snapshot_file: resolve(baseDir, doc.config_source.snapshot_file) },
    services: doc.services.map((s) => ({
      ...s,
      path: trimBasePath(s.path),
      ...(s.hash_header === undefined ? {} : { hash_header: s.hash_header.toLowerCase() }),
      tls: resolveTls(s.tls, baseDir),
      health_checks: resolveHealthChecks(s),
      grpc: resolveGrpc(s.grpc, grpcDefinitions.get(s.id))
    })),
    routes: doc.routes.map((r) => ({
      ...r,
      ...(r.hosts === undefined ? {} : { hosts: r.hosts.map((h) => h.toLowerCase()) }),
      ...(r.methods === undefined ? {} : { methods: r.methods.map((m) => m.toUpperCase()) })
    })),
    merchants: doc.merchants.map((m) => ({ ...m, name: m.name ?? m.id })),
    plugins,
    certificates
  }
  return JSON.parse(JSON.stringify(config)) as GatewayConfig
}
