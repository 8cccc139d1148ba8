// The one list of bundled plugins. A plugin folder is not loadable until it is listed here.
import type { PluginDefinition } from '../kit/plugin.js'
import { accessLog } from './access-log/index.js'
import { acl } from './acl/index.js'
import { cors } from './cors/index.js'
import { httpLog } from './http-log/index.js'
import { idempotency } from './idempotency/index.js'
import { ipRestriction } from './ip-restriction/index.js'
import { jwt } from './jwt/index.js'
import { keyAuth } from './key-auth/index.js'
import { merchantSignature } from './merchant-signature/index.js'
import { rateLimit } from './rate-limit/index.js'
import { requestGuard } from './request-guard/index.js'
import { requestTransformer } from './request-transformer/index.js'
import { responseTransformer } from './response-transformer/index.js'

/** Any plugin definition, whatever its schema and state (the loader works with them by name). */
type AnyPlugin = PluginDefinition<any, any> // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every plugin shipped with Tollgate, in priority order (highest first). */
export const BUNDLED_PLUGINS: readonly AnyPlugin[] = Object.freeze([
  requestGuard,
  ipRestriction,
  cors,
  jwt,
  keyAuth,
  merchantSignature,
  acl,
  rateLimit,
  requestTransformer,
  responseTransformer,
  idempotency,
  accessLog,
  httpLog
])

const byName = new Map<string, AnyPlugin>(BUNDLED_PLUGINS.map((plugin) => [plugin.name, plugin]))

/** The bundled plugin called `name` (its folder name), or undefined. */
export function findBundledPlugin (name: string): AnyPlugin | undefined {
  return byName.get(name)
}
