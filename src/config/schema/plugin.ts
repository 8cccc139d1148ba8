/** A plugin binding: a plugin switched on at a scope with its config. */
import { Type, type Static } from '@sinclair/typebox'
import { Flag, Id, PLUGIN_NAME_PATTERN } from './typedefs.js'

/** A plugin binding (`plugins:` in the file). Which of route/service/merchant are set gives its scope. */
export const PluginBindingSchema = Type.Object({
  id: Type.Optional(Id('Unique id of the binding; default derived from name and scope, e.g. "rate-limit@route:orders".')),
  name: Type.String({ pattern: PLUGIN_NAME_PATTERN, description: 'Name of the plugin (its folder name); required.' }),
  enabled: Flag('Whether the binding is active; default true.', true),
  route: Type.Optional(Id('Id of the route this binding applies to; default none.')),
  service: Type.Optional(Id('Id of the service this binding applies to; default none.')),
  merchant: Type.Optional(Id('Id of the merchant this binding applies to; default none.')),
  priority: Type.Optional(Type.Integer({ minimum: -1_000_000, maximum: 1_000_000, description: "Overrides the plugin's own priority; default the plugin's." })),
  config: Type.Record(Type.String(), Type.Unknown(), { default: {}, description: "The plugin's config, validated by the plugin's schema; default {}." })
}, { additionalProperties: false, description: 'A plugin bound at a scope: global, service, route, merchant, or route and merchant.' })

/** A plugin binding after schema validation (defaults applied; `id` may still be absent). */
export type PluginBindingEntry = Static<typeof PluginBindingSchema>
