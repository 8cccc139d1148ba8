import type { RequestContext } from './context.js'
import type { LogStep } from './chain.js'
import { retireIfIdle } from '../runtime/retire.js'
import { activeRequests } from '../server/active-requests.js'
import { requestMetrics } from '../metrics/request-metrics.js'
import { pluginFailureCounts } from './plugin-failures.js'
import { observability } from '../tracing/observability-settings.js'

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
      pluginFailureCounts.set(step.name, (pluginFailureCounts.get(step.name) ?? 0) + 1)
      ctx.log.error({ plugin: step.name, phase: 'log', err: error }, 'plugin failed')
    }
  }
  if (requestMetrics.enabled) requestMetrics.record(ctx)
  if (ctx.trace !== undefined && observability.exporter !== undefined) observability.exporter.add(ctx)
  const snapshot = ctx.snapshot
  if (snapshot !== undefined) {
    snapshot.inFlight--
    if (snapshot.retired && snapshot.inFlight === 0) retireIfIdle(snapshot)
  }
}
