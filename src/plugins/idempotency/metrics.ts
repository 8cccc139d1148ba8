import { metrics } from '../../metrics/registry.js'

/** Requests idempotency could not protect as configured, by reason (DESIGN: every degraded mode is counted). */
export const idempotencyDegraded = metrics.counter('tollgate_idempotency_degraded_total', 'Idempotency keys not handled as configured, by reason: redis_fail_open (request let through), redis_fail_closed (503), store_error (response not stored or key not released).', { labels: ['reason'] })
