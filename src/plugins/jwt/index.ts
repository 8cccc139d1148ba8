export { createJwt, jwt, type JwtOptions, type JwtState } from './handler.js'
export { jwtSchema, type JwtConfig } from './schema.js'
export { JwksSource, jwksStats, parseJwks, type JwksKey, type JwksSettings } from './jwks.js'
