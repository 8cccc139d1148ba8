import type { RequestContext } from './context.js'
import type { LogStep } from './chain.js'
import { retireIfIdle } from '../runtime/retire.js'
import { activeRequests } from '../server/active-requests.js'

/**
 * Ends a request exactly once: final timings, the log phase (plugins only buffer there), and the
 * release of the config snapshot the request ran on.
 */
export function finishRequest (ctx: RequestContext): void {
  if (ctx.finished) return
  ctx.finished = true
  activeRequests.count--
  ctx.timings.totalMs = ctx.elapsedMs()
  if (ctx.timings.gatewayMs < 0) ctx.timings.gatewayMs = ctx.timings.totalMs
  const steps: readonly LogStep[] = ctx.chain.log
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as LogStep
    try {
      step.run(ctx, step.state)
    } catch (error) {
      ctx.log.error({ plugin: step.name, phase: 'log', err: error }, 'plugin failed')
    }
  }
  const snapshot = ctx.snapshot
  if (snapshot !== undefined) {
    snapshot.inFlight--
    if (snapshot.retired && snapshot.inFlight === 0) retireIfIdle(snapshot)
  }
}
