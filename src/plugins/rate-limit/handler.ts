import type { PluginContext } from '../../kit/context.js'
import { definePlugin, PRIORITY, type PluginDefinition, type PluginEnv } from '../../kit/plugin.js'
import { errorReply, type Reply } from '../../kit/reply.js'
import { isPromise } from '../_shared/is-promise.js'
import { compileKeyOf, type KeyOf } from './key.js'
import { createClusterPolicy } from './policies/cluster.js'
import { createLocalPolicy } from './policies/local.js'
import type { LimitSpec, RateLimitOutcome, RateLimitPolicy, RateLimitPolicyFactory } from './policies/policy.js'
import { clockFor } from './policies/windows.js'
import { rateLimitSchema, type RateLimitConfig } from './schema.js'

declare module '../../kit/context.js' {
  interface PluginSlots {
    /** Set by rate-limit when it admitted the request; read by its header filter (and by metrics). */
    rateLimit?: RateLimitOutcome
  }
}

/** The policies by config name. */
const POLICIES: Record<RateLimitConfig['policy'], RateLimitPolicyFactory> = {
  local: createLocalPolicy,
  cluster: createClusterPolicy
}

/** What rate-limit compiles a binding's config into. */
export interface RateLimitState {
  readonly policy: RateLimitPolicy
  readonly keyOf: KeyOf
  readonly headers: boolean
  /** The `RateLimit-Policy` value, built once: every limit as `limit;w=seconds`. */
  readonly policyHeader: string
  readonly now: () => number
}

/** Options of {@link createRateLimit}; for tests. */
export interface RateLimitOptions {
  /** The clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number
}

/** The binding's limits: the `limits` list, then the `limit` + `window_seconds` shorthand. */
export function limitSpecs (config: RateLimitConfig): LimitSpec[] {
  const specs: LimitSpec[] = []
  for (const { limit, per } of config.limits ?? []) {
    const clock = clockFor(per)
    specs.push({ limit, clock, sliding: config.window === 'sliding' && clock.fixedLength })
  }
  if (config.limit !== undefined) specs.push({ limit: config.limit, clock: clockFor({ seconds: config.window_seconds }), sliding: config.window === 'sliding' })
  return specs
}

/**
 * The fields that decide what is counted and how; `headers` is left out so toggling it keeps the
 * counters.
 */
function fingerprint (config: RateLimitConfig): string {
  const limits = (config.limits ?? []).map(({ limit, per }) => `${limit}/${per}`).join(',')
  return `${config.policy}|${config.window}|${config.window_seconds}|${config.limit ?? ''}|${limits}|${config.key_by.join(',')}`
}

function refusal (state: RateLimitState, outcome: RateLimitOutcome): Reply {
  const retryAfter = String(outcome.retryAfterSeconds)
  if (!state.headers) return errorReply('TG_RATE_LIMITED', { 'retry-after': retryAfter })
  return errorReply('TG_RATE_LIMITED', {
    'retry-after': retryAfter,
    'ratelimit-limit': String(outcome.limit),
    'ratelimit-remaining': '0',
    'ratelimit-reset': String(outcome.resetSeconds),
    'ratelimit-policy': state.policyHeader
  })
}

function decide (ctx: PluginContext, state: RateLimitState, outcome: RateLimitOutcome): Reply | undefined {
  if (!outcome.allowed) return refusal(state, outcome)
  ctx.slots.rateLimit = outcome
  return undefined
}

/** Builds the rate-limit plugin with an injected clock; {@link rateLimit} is the bundled instance. */
export function createRateLimit (options: RateLimitOptions = {}): PluginDefinition<typeof rateLimitSchema, RateLimitState> {
  const now = options.now ?? Date.now
  return definePlugin({
    name: 'rate-limit',
    version: '1.1.0',
    priority: PRIORITY.limits,
    schema: rateLimitSchema,

    compile (config: RateLimitConfig, env: PluginEnv): RateLimitState {
      if (config.policy === 'cluster' && env.redis === undefined) {
        throw new Error('policy "cluster" needs gateway.redis (the leases live there); set it or use policy "local"')
      }
      const limits = limitSpecs(config)
      const policy = POLICIES[config.policy]({
        limits,
        scope: `${env.bindingId}\n${fingerprint(config)}`,
        nowMs: now(),
        redis: env.redis,
        log: env.log,
        onDrain: (listener) => env.on('drain', listener)
      })
      return {
        policy,
        keyOf: compileKeyOf(config.key_by),
        headers: config.headers,
        policyHeader: limits.map((spec) => `${spec.limit};w=${spec.clock.nominalSeconds}`).join(', '),
        now
      }
    },

    destroy (state) {
      state.policy.release()
    },

    access (ctx, state) {
      const outcome = state.policy.take(state.keyOf(ctx), state.now())
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
      headers.set('ratelimit-policy', state.policyHeader)
    }
  })
}

/** rate-limit: counts requests per merchant, route, service, client IP, header or a combination, and answers 429 past a limit. */
export const rateLimit = createRateLimit()
