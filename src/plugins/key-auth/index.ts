export { keyAuth, findApiKey, KEY_AUTH_CHALLENGE, type KeyAuthState } from './handler.js'
export { keyAuthSchema, type KeyAuthConfig } from './schema.js'
