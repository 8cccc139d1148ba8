import { performance } from 'node:perf_hooks'
import type { Logger } from '../kit/logger.js'
import { retriesTotal, retryBudgetExhaustedTotal } from '../metrics/upstream-metrics.js'
import type { ServiceRuntime } from './service.js'

// The HTTP proxy, the TG-RPC and the gRPC conversions all take and count their retries here, so
// the retry metrics mean the same whatever a service's protocol.

/**
 * Takes one retry from `service`'s budget. A refusal is logged at warn and counted in
 * `tollgate_upstream_retry_budget_exhausted_total{service}`.
 * @returns true when the budget allows the retry (and counted it against the budget)
 */
export function takeRetryFromBudget (service: ServiceRuntime, log: Logger): boolean {
  if (service.retry.budget.tryRetry(performance.now())) return true
  log.warn({ service: service.id }, 'retry budget spent: failure answered without a retry')
  retryBudgetExhaustedTotal.inc(service.id)
  return false
}

/** Counts one attempt sent to another target after a failure: `tollgate_upstream_retries_total{service}`. */
export function countRetry (service: ServiceRuntime): void {
  retriesTotal.inc(service.id)
}
