import { metrics } from './registry.js'

/** Passive-health ejections, by service and target (`upstream/health/outlier.ts`). */
export const ejectionsTotal = metrics.counter('tollgate_upstream_ejections_total', 'Targets ejected by passive health checks.', { labels: ['service', 'target', 'reason'] })
/** Retries sent to another target, by service, for every protocol (`upstream/retry-accounting.ts`). */
export const retriesTotal = metrics.counter('tollgate_upstream_retries_total', 'Upstream attempts retried on another target.', { labels: ['service'] })
/** Retries the retry budget refused, by service, for every protocol (`upstream/retry-accounting.ts`). */
export const retryBudgetExhaustedTotal = metrics.counter('tollgate_upstream_retry_budget_exhausted_total', 'Failures answered without a retry because the retry budget was spent.', { labels: ['service'] })
