import type { Reply } from '../kit/reply.js'
import type { RequestStep } from './chain.js'
import { indexAfter } from './chain.js'
import type { RequestContext } from './context.js'
import type { ReplyingPhase } from './phases.js'
import { replyForPluginError } from './plugin-failures.js'
import { runTimed } from '../tracing/request-hooks.js'

export type PhaseOutcome = Reply | undefined | Promise<Reply | undefined>

function isPromise (value: unknown): value is Promise<unknown> {
  return value !== null && typeof value === 'object' && typeof (value as { then?: unknown }).then === 'function'
}

/**
 * Runs one replying phase of the request's chain from step `start`. Stops at the first reply.
 * Stays synchronous until a handler returns a promise, so a chain of synchronous plugins never
 * allocates one. When authentication identifies a merchant during `access`, the rest of the
 * phase continues on the merchant's chain, after the plugin that identified it.
 */
export function runPhase (ctx: RequestContext, phase: ReplyingPhase, start = 0): PhaseOutcome {
  let chain = ctx.chain
  let steps: readonly RequestStep[] = chain[phase]
  for (let i = start; i < steps.length; i++) {
    const step = steps[i] as RequestStep
    let result: unknown
    try {
      // Per-plugin timing only for a request that asked with the debug token.
      result = ctx.debugTimings === undefined ? step.run(ctx, step.state) : runTimed(ctx, step, phase, ctx.debugTimings)
    } catch (error) {
      return replyForPluginError(ctx, step.name, phase, error)
    }
    if (result !== undefined && result !== null) {
      if (isPromise(result)) return continueAfterPromise(ctx, phase, step, result)
      return result as Reply
    }
    if (ctx.chain !== chain) {
      chain = ctx.chain
      steps = chain[phase]
      i = indexAfter(steps, step) - 1
    }
  }
  return undefined
}

function continueAfterPromise (ctx: RequestContext, phase: ReplyingPhase, step: RequestStep, pending: Promise<unknown>): Promise<Reply | undefined> {
  const chainBefore = ctx.chain
  return pending.then(
    (result) => {
      if (result !== undefined && result !== null) return result as Reply
      // The chain may have changed while the handler ran (identify() after an async lookup).
      const steps = ctx.chain[phase]
      const next = ctx.chain === chainBefore ? steps.indexOf(step) + 1 : indexAfter(steps, step)
      return runPhase(ctx, phase, next)
    },
    (error: unknown) => replyForPluginError(ctx, step.name, phase, error)
  )
}
