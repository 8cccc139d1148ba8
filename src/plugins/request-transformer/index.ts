export { requestTransformer } from './handler.js'
export type { RequestTransformerState } from './handler.js'
export { requestTransformerSchema } from './schema.js'
export type { RequestTransformerConfig } from './schema.js'
