export { responseTransformer } from './handler.js'
export type { ResponseTransformerState } from './handler.js'
export { responseTransformerSchema } from './schema.js'
export type { ResponseTransformerConfig } from './schema.js'
