/**
 * The admin API's OpenAPI 3.1 document, generated from the same TypeBox schemas that validate the
 * YAML file and every write, so the document cannot drift from what is accepted.
 */
import type { TSchema } from '@sinclair/typebox'
import { ServiceSchema } from '../../config/schema/service.js'
import { RouteSchema } from '../../config/schema/route.js'
import { MerchantSchema, ApiKeySchema, SecretSchema } from '../../config/schema/merchant.js'
import { PluginBindingSchema } from '../../config/schema/plugin.js'
import { CertificateSchema } from '../../config/schema/certificate.js'
import { GatewaySchema } from '../../config/schema/gateway.js'
import { LIST_FILTERS } from '../store/listing.js'
import { COLLECTIONS } from './entities.js'

/** Plain JSON Schema (TypeBox keeps its bookkeeping under symbols, which JSON drops). */
function plain (schema: TSchema): unknown {
  return JSON.parse(JSON.stringify(schema))
}

const ENTITY_SCHEMAS: Record<string, TSchema> = {
  service: ServiceSchema, route: RouteSchema, merchant: MerchantSchema, plugin: PluginBindingSchema, certificate: CertificateSchema
}

const ref = (name: string): { $ref: string } => ({ $ref: `#/components/schemas/${name}` })
const json = (schema: unknown): unknown => ({ content: { 'application/json': { schema } } })
const error = (description: string): unknown => ({ description, ...json(ref('Error')) as object })
const ifMatchHeader = { name: 'If-Match', in: 'header', required: false, schema: { type: 'string' }, description: 'The ETag of the version the change is based on; a different current version answers 412. "*" = must exist.' }
const COMMON_ERRORS = { 401: error('No or a wrong admin token (TG_ADMIN_UNAUTHORIZED).') }

function collectionPaths (collection: string, kind: string): Record<string, unknown> {
  const schemaName = kind[0]?.toUpperCase() + kind.slice(1)
  const filters = Object.keys(LIST_FILTERS[kind as keyof typeof LIST_FILTERS] ?? {})
  const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
  const written = { description: 'The stored (normalised) entity; ETag is its version.', ...json(ref(schemaName)) as object }
  return {
    [`/${collection}`]: {
      get: {
        summary: `List ${collection} in order, a page at a time`,
        parameters: [
          { name: 'limit', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
          { name: 'cursor', in: 'query', schema: { type: 'string' }, description: 'next_cursor of the previous page' },
          ...filters.map((f) => ({ name: f, in: 'query', schema: { type: 'string' }, description: `only ${collection} whose ${f} is this id` }))
        ],
        responses: { 200: { description: 'A page', ...json({ type: 'object', properties: { items: { type: 'array', items: { type: 'object', properties: { version: { type: 'integer' }, body: ref(schemaName) } } }, next_cursor: { type: ['string', 'null'] } } }) as object }, ...COMMON_ERRORS }
      },
      post: {
        summary: `Create a ${kind}`,
        requestBody: { required: true, ...json(ref(schemaName)) as object },
        responses: { 201: written, 400: error('Every problem with its JSON path (TG_CONFIG_INVALID).'), 409: error('It exists (TG_ADMIN_EXISTS).'), ...COMMON_ERRORS }
      }
    },
    [`/${collection}/{id}`]: {
      parameters: [idParam],
      get: { summary: `One ${kind}`, responses: { 200: written, 404: error('No such entity.'), ...COMMON_ERRORS } },
      put: {
        summary: `Create or replace a ${kind}`,
        parameters: [ifMatchHeader],
        requestBody: { required: true, ...json(ref(schemaName)) as object },
        responses: { 200: written, 201: written, 400: error('Every problem with its JSON path.'), 412: error('If-Match does not match (TG_ADMIN_VERSION_MISMATCH).'), ...COMMON_ERRORS }
      },
      delete: {
        summary: `Delete a ${kind} (refused while others refer to it)`,
        parameters: [ifMatchHeader],
        responses: { 204: { description: 'Deleted' }, 400: error('Still referred to.'), 404: error('No such entity.'), 412: error('If-Match does not match.'), ...COMMON_ERRORS }
      }
    }
  }
}

function credentialPaths (): Record<string, unknown> {
  const merchant = { name: 'id', in: 'path', required: true, schema: { type: 'string' } }
  const changed = { description: 'The merchant after the change; ETag is its new version.', ...json(ref('Merchant')) as object }
  return {
    '/merchants/{id}/credentials': { parameters: [merchant], get: { summary: 'API key ids (SHA-256 of the key) and secret ids, without the secrets', responses: { 200: { description: 'Credentials' }, 404: error('No such merchant.'), ...COMMON_ERRORS } } },
    '/merchants/{id}/api-keys': { parameters: [merchant], post: { summary: 'Add an API key (rotation)', parameters: [ifMatchHeader], requestBody: json(ref('ApiKey')), responses: { 200: changed, 400: error('Invalid or held by another merchant.'), ...COMMON_ERRORS } } },
    '/merchants/{id}/api-keys/{key_id}': { parameters: [merchant, { name: 'key_id', in: 'path', required: true, schema: { type: 'string' }, description: 'SHA-256 hex of the key' }], delete: { summary: 'Revoke an API key', parameters: [ifMatchHeader], responses: { 200: changed, 404: error('No such key.'), ...COMMON_ERRORS } } },
    '/merchants/{id}/secrets': { parameters: [merchant], post: { summary: 'Add a signing secret (rotation)', parameters: [ifMatchHeader], requestBody: json(ref('Secret')), responses: { 200: changed, 400: error('Invalid.'), ...COMMON_ERRORS } } },
    '/merchants/{id}/secrets/{secret_id}': { parameters: [merchant, { name: 'secret_id', in: 'path', required: true, schema: { type: 'string' } }], delete: { summary: 'Remove a signing secret', parameters: [ifMatchHeader], responses: { 200: changed, 404: error('No such secret.'), ...COMMON_ERRORS } } }
  }
}

export function buildOpenApi (version: string): unknown {
  const schemas: Record<string, unknown> = {
    Gateway: plain(GatewaySchema),
    ApiKey: plain(ApiKeySchema),
    Secret: plain(SecretSchema),
    Error: {
      type: 'object',
      properties: { error: { type: 'object', required: ['code', 'message', 'request_id'], properties: { code: { type: 'string' }, message: { type: 'string' }, request_id: { type: 'string' }, problems: { type: 'array', items: { type: 'object', properties: { path: { type: 'string', description: 'JSON pointer into the request body' }, reason: { type: 'string' } } } } } } }
    }
  }
  for (const [kind, schema] of Object.entries(ENTITY_SCHEMAS)) schemas[kind[0]?.toUpperCase() + kind.slice(1)] = plain(schema)
  let paths: Record<string, unknown> = {}
  for (const [collection, kind] of Object.entries(COLLECTIONS)) paths = { ...paths, ...collectionPaths(collection, kind) }
  return {
    openapi: '3.1.0',
    info: { title: 'Tollgate admin API', version, description: 'Configuration of a Tollgate cluster. Every write is validated by the schemas of the YAML file; bodies are the YAML items.' },
    components: { schemas, securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    security: [{ token: [] }],
    paths: {
      ...paths,
      ...credentialPaths(),
      '/gateway': {
        get: { summary: 'The gateway settings', responses: { 200: { description: 'Settings', ...json(ref('Gateway')) as object }, 404: error('Not set: every default applies.'), ...COMMON_ERRORS } },
        put: { summary: 'Replace the gateway settings', parameters: [ifMatchHeader], requestBody: json(ref('Gateway')), responses: { 200: { description: 'Stored' }, 400: error('Every problem with its path.'), 412: error('If-Match does not match.'), ...COMMON_ERRORS } }
      },
      '/nodes': { get: { summary: 'Live gateway nodes (Redis heartbeats) and their config lag', responses: { 200: { description: 'Nodes' }, ...COMMON_ERRORS } } },
      '/openapi.json': { get: { summary: 'This document', security: [], responses: { 200: { description: 'OpenAPI 3.1' } } } },
      '/healthz': { get: { summary: 'Liveness and the config version', security: [], responses: { 200: { description: 'Up' } } } }
    }
  }
}
