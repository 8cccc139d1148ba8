export { idempotency } from './handler.js'
export type { IdempotencyState } from './handler.js'
export { idempotencySchema } from './schema.js'
export type { IdempotencyConfig } from './schema.js'
