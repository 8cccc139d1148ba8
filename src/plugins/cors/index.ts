export { cors, isPreflight, type CorsState } from './handler.js'
export { corsSchema, type CorsConfig } from './schema.js'
export { compileOrigins, type OriginMatcher } from './origin-matcher.js'
