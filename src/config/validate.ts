/**
 * `validateConfig`: schema validation (every problem, defaults applied) followed by the cross
 * checks no single schema can express, producing either the normalised `GatewayConfig` or the
 * complete list of problems. A config with any problem is refused as a whole.
 */
import { checkTgRpcRoutes } from './checks/tgrpc-routes.js'
import { checkGrpcServices } from './checks/grpc-services.js'
import type { TSchema } from '@sinclair/typebox'
import { ConfigDocumentSchema, type ConfigDocument } from './schema/document.js'
import { PLANNED_SERVICE_PROTOCOLS, type ServiceEntry } from './schema/service.js'
import type { RouteEntry } from './schema/route.js'
import type { MerchantEntry } from './schema/merchant.js'
import type { PluginBindingEntry } from './schema/plugin.js'
import type { CertificateEntry } from './schema/certificate.js'
import type { GatewayConfig } from './gateway-config.js'
import { problemsFromAjv, validatorFor } from './ajv.js'
import { ProblemList, type ConfigProblem } from './problems.js'
import { idsIn, reportDuplicates, usableItems, type Item } from './checks/items.js'
import { checkGateway } from './checks/gateway.js'
import { checkServices } from './checks/services.js'
import { checkActiveHealth } from './checks/active-health.js'
import { checkRoutes } from './checks/routes.js'
import { checkMerchants } from './checks/merchants.js'
import { checkPluginBindings } from './checks/plugins.js'
import { checkCertificates } from './checks/certificates.js'
import { checkConfigSource } from './checks/config-source.js'
import { resolveConfig } from './resolve.js'

/** What `validateConfig` needs besides the document. */
export interface ValidateOptions {
  /** Names the source in every problem (a file path, or e.g. `PUT /routes/r1` for the admin API). */
  readonly file: string
  /** Folder that relative file paths (certificates, CA files, plugins_dir) are resolved against. */
  readonly baseDir: string
  /** The config schema of a plugin by name; undefined means no such plugin is installed. */
  readonly pluginSchema: (name: string) => TSchema | undefined
  /**
   * Merchants load lazily from elsewhere (the control-plane source's route table): a binding's
   * merchant is not looked up among the document's merchants. Default false.
   */
  readonly lazyMerchants?: boolean
}

/** Either the validated configuration or every problem found. */
export type ValidationResult =
  | { readonly ok: true, readonly config: GatewayConfig }
  | { readonly ok: false, readonly problems: ConfigProblem[] }

function isMapping (value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Replaces the generic enum reason for protocols that DESIGN.md plans but this release refuses. */
function explainPlannedProtocols (doc: Record<string, unknown>, problems: ConfigProblem[]): ConfigProblem[] {
  const services = Array.isArray(doc.services) ? doc.services as unknown[] : []
  return problems.map((p) => {
    const match = /^\/services\/(\d+)\/protocol$/.exec(p.path)
    if (match === null) return p
    const value = (services[Number(match[1])] as { protocol?: unknown } | undefined)?.protocol
    const reason = typeof value === 'string' ? PLANNED_SERVICE_PROTOCOLS[value] : undefined
    return reason === undefined ? p : { ...p, reason }
  })
}

/** The cross checks, on the entries the schema accepted. */
function crossCheck (doc: ConfigDocument, options: ValidateOptions, problems: ProblemList): GatewayConfig | undefined {
  const services = usableItems<ServiceEntry>(doc.services, problems, 'services')
  const routes = usableItems<RouteEntry>(doc.routes, problems, 'routes')
  const merchants = usableItems<MerchantEntry>(doc.merchants, problems, 'merchants')
  const bindings = usableItems<PluginBindingEntry>(doc.plugins, problems, 'plugins')
  const certificates = usableItems<CertificateEntry>(doc.certificates, problems, 'certificates')

  const byId = (item: Item<{ id: string }>): string => `${item.at}/id`
  reportDuplicates(services, problems, 'service id', (s) => s.id, byId)
  reportDuplicates(routes, problems, 'route id', (r) => r.id, byId)
  reportDuplicates(merchants, problems, 'merchant id', (m) => m.id, byId)
  reportDuplicates(certificates, problems, 'certificate id', (c) => c.id, byId)

  const certificateCount = Array.isArray(doc.certificates) ? doc.certificates.length : 0
  if (isMapping(doc.gateway)) checkGateway(doc.gateway, certificateCount, problems)
  checkConfigSource(doc, problems)
  checkServices(services, options.baseDir, problems)
  checkActiveHealth(services, problems)
  checkRoutes(routes, idsIn(doc.services), problems)
  checkTgRpcRoutes(routes, services, problems)
  const grpcDefinitions = checkGrpcServices(services, routes, options.baseDir, problems)
  checkMerchants(merchants, problems)
  const targets = { routes: idsIn(doc.routes), services: idsIn(doc.services), merchants: options.lazyMerchants === true ? undefined : idsIn(doc.merchants) }
  const plugins = checkPluginBindings(bindings, targets, options.pluginSchema, problems)
  const loaded = checkCertificates(certificates, options.baseDir, problems)
  return problems.items.length === 0 ? resolveConfig(doc, options.baseDir, plugins, loaded, grpcDefinitions) : undefined
}

/**
 * Validates a parsed configuration document. Never throws for bad input and never stops at the
 * first problem: schema errors (with defaults applied), then cross checks (duplicate ids, unknown
 * references, binding scopes, plugin configs against `pluginSchema(name)`, API key uniqueness,
 * route path patterns and duplicates, listeners, certificates read from `baseDir` and matched to
 * their keys). The input is not modified. On success `config` is plain JSON data, safe for IPC.
 */
export function validateConfig (document: unknown, options: ValidateOptions): ValidationResult {
  const problems = new ProblemList(options.file)
  let doc: unknown
  try {
    doc = structuredClone(document)
  } catch {
    problems.add('', 'the document must be plain data (mappings, lists, strings, numbers, booleans, null)')
    return { ok: false, problems: problems.items }
  }
  if (!isMapping(doc)) {
    problems.add('', `the document root must be a mapping (got ${doc === null ? 'null' : Array.isArray(doc) ? 'a list' : typeof doc})`)
    return { ok: false, problems: problems.items }
  }
  const validate = validatorFor(ConfigDocumentSchema, 'entity')
  if (!validate(doc)) {
    for (const p of explainPlannedProtocols(doc, problemsFromAjv(validate.errors, options.file))) problems.add(p.path, p.reason)
  }
  const config = crossCheck(doc as ConfigDocument, options, problems)
  return config === undefined ? { ok: false, problems: problems.items } : { ok: true, config }
}
