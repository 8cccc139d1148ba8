/** The root of the configuration file: global settings and one list per entity. */
import { Type, type Static } from '@sinclair/typebox'
import { GatewaySchema } from './gateway.js'
import { ServiceSchema } from './service.js'
import { RouteSchema } from './route.js'
import { MerchantSchema } from './merchant.js'
import { PluginBindingSchema } from './plugin.js'
import { CertificateSchema } from './certificate.js'
import { ConfigSourceSchema } from './config-source.js'

/** The whole file. Unknown top-level keys are reported. */
export const ConfigDocumentSchema = Type.Object({
  gateway: GatewaySchema,
  config_source: ConfigSourceSchema,
  services: Type.Array(ServiceSchema, { default: [], description: 'Services; default [].' }),
  routes: Type.Array(RouteSchema, { default: [], description: 'Routes; default [].' }),
  merchants: Type.Array(MerchantSchema, { default: [], description: 'Merchants; default [].' }),
  plugins: Type.Array(PluginBindingSchema, { default: [], description: 'Plugin bindings; default [].' }),
  certificates: Type.Array(CertificateSchema, { default: [], description: 'TLS certificates; default [].' })
}, { additionalProperties: false, description: 'A Tollgate configuration file.' })

/** The file after schema validation, before cross checks and normalisation. */
export type ConfigDocument = Static<typeof ConfigDocumentSchema>
