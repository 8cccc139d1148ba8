export { requestGuard, type RequestGuardState, type ContentTypeRule } from './handler.js'
export { requestGuardSchema, GUARD_METHODS, type RequestGuardConfig } from './schema.js'
