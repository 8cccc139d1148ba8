export { rateLimit, createRateLimit, counterKey, type RateLimitState, type RateLimitOptions } from './handler.js'
export { rateLimitSchema, RATE_LIMIT_POLICIES, type RateLimitConfig } from './schema.js'
export type { RateLimitOutcome, RateLimitPolicy, RateLimitPolicyFactory, RateLimitPolicyOptions } from './policies/policy.js'
export { createLocalPolicy, localPolicyStats, type LocalPolicy } from './policies/local.js'
