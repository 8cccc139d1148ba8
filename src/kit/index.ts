// The plugin kit: the narrow API plugins are written against.
export * from './headers.js'
export * from './reply.js'
export * from './merchant.js'
export * from './context.js'
export * from './logger.js'
export * from './plugin.js'
export { ERRORS, type ErrorCode } from '../errors.js'
