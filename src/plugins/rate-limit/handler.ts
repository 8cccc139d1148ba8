import type { PluginContext } from '../../kit/context.js'
import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { isPromise } from '../_shared/is-promise.js'
import { createLocalPolicy } from './policies/local.js'
import type { RateLimitOutcome, RateLimitPolicy, RateLimitPolicyFactory } from './policies/policy.js'
import { rateLimitSchema, type RateLimitConfig } from './schema.js'

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** Set by rate-limit when it admitted the request; read by its header filter (and by metrics). */
    rateLimit?: RateLimitOutcome
  }
}

/** The policies by config name. */
const POLICIES: Record<RateLimitConfig['policy'], RateLimitPolicyFactory> = {
  local: createLocalPolicy
}

/** What rate-limit compiles a binding's config into. */
export interface RateLimitState {
  readonly policy: RateLimitPolicy
  readonly limitBy: RateLimitConfig['limit_by']
  readonly headers: boolean
  readonly now: () => number
}

/** Options of {@link createRateLimit}; for tests. */
export interface RateLimitOptions {
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number
}

/**
 * Keys of clients counted by IP because no merchant was identified. The prefix keeps them apart
 * from merchant ids in the same table; only this fallback pays for the concatenation.
 */
function ipFallbackKey (ctx: PluginContext): string {
  return '\0ip:' + ctx.request.clientIp
}

/** The counter key of a request; `merchant` and `route` reuse existing strings (no allocation). */
export function counterKey (ctx: PluginContext, limitBy: RateLimitConfig['limit_by']): string {
  switch (limitBy) {
    case 'merchant': return ctx.merchant?.id ?? ipFallbackKey(ctx)
    case 'route': return ctx.routeId
    case 'merchant+route': return (ctx.merchant?.id ?? ipFallbackKey(ctx)) + '\n' + ctx.routeId
    case 'ip': return ctx.request.clientIp
  }
}

/**
 * The fields that decide what is counted and how; `headers` is left out so toggling it keeps the
 * counters.
 */
function fingerprint (config: RateLimitConfig): string {
  return `${config.policy}|${config.window}|${config.window_seconds}|${config.limit}|${config.limit_by}`
}

function refusal (outcome: RateLimitOutcome, withHeaders: boolean): Reply {
  const retryAfter = String(outcome.retryAfterSeconds)
  if (!withHeaders) return errorReply('TG_RATE_LIMITED', { 'retry-after': retryAfter })
  return errorReply('TG_RATE_LIMITED', {
    'retry-after': retryAfter,
    'ratelimit-limit': String(outcome.limit),
    'ratelimit-remaining': '0',
    'ratelimit-reset': String(outcome.resetSeconds)
  })
}

function decide (ctx: PluginContext, state: RateLimitState, outcome: RateLimitOutcome): Reply | undefined {
  if (!outcome.allowed) return refusal(outcome, state.headers)
  ctx.slots.rateLimit = outcome
  return undefined
}

/** Builds the rate-limit plugin with an injected clock; {@link rateLimit} is the bundled instance. */
export function createRateLimit (options: RateLimitOptions = {}): PluginDefinition<typeof rateLimitSchema, RateLimitState> {
  const now = options.now ?? Date.now
  return definePlugin({
    name: 'rate-limit',
    version: '1.0.0',
    priority: PRIORITY.limits,
    schema: rateLimitSchema,

    compile (config: RateLimitConfig, env: PluginEnv): RateLimitState {
      const policy = POLICIES[config.policy]({
        limit: config.limit,
        windowMs: config.window_seconds * 1000,
        sliding: config.window === 'sliding',
        scope: `${env.bindingId}\n${fingerprint(config)}`,
        nowMs: now()
      })
      return { policy, limitBy: config.limit_by, headers: config.headers, now }
    },

    destroy (state) {
      state.policy.release()
    },

    access (ctx, state) {
      const outcome = state.policy.take(counterKey(ctx, state.limitBy), state.now())
      if (isPromise(outcome)) return outcome.then((settled) => decide(ctx, state, settled))
      return decide(ctx, state, outcome)
    },

    headerFilter (ctx, state) {
      const outcome = ctx.slots.rateLimit
      if (!state.headers || outcome === undefined || ctx.response === undefined) return
      const headers = ctx.response.headers
      headers.set('ratelimit-limit', String(outcome.limit))
      headers.set('ratelimit-remaining', String(outcome.remaining))
      headers.set('ratelimit-reset', String(outcome.resetSeconds))
    }
  })
}

/** rate-limit: counts requests per merchant, route, both or client IP and answers 429 past the limit. */
export const rateLimit = createRateLimit()
