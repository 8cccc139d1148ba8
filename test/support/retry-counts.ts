import { retriesTotal, retryBudgetExhaustedTotal } from '../../src/metrics/upstream-metrics.js'

/** The retry counters of one service in this process: the metrics every protocol counts its retries in. */
export interface RetryCounts {
  /** `tollgate_upstream_retries_total{service}` */
  readonly retries: number
  /** `tollgate_upstream_retry_budget_exhausted_total{service}` */
  readonly budgetExhausted: number
}

export function retryCounts (serviceId: string): RetryCounts {
  return { retries: retriesTotal.series(serviceId).value, budgetExhausted: retryBudgetExhaustedTotal.series(serviceId).value }
}

/** How much each counter grew since `before`. */
export function retryCountsSince (serviceId: string, before: RetryCounts): RetryCounts {
  const now = retryCounts(serviceId)
  return { retries: now.retries - before.retries, budgetExhausted: now.budgetExhausted - before.budgetExhausted }
}

/** What {@link sendPastRefusingTarget} saw. */
export interface RefusingTargetRun {
  /** The status of each request, in order. */
  readonly statuses: number[]
  /** Attempts the refusing target failed (each one a retry, or a retry refused by the budget). */
  readonly refused: number
  /** How the service's retry counters grew meanwhile. */
  readonly counted: RetryCounts
}

/**
 * Sends `count` requests (`send(i)`) through `gateway`, whose service `serviceId` balances over a
 * target refusing connections on `deadPort` and a live one.
 */
export async function sendPastRefusingTarget (
  gateway: { targets: { get: (id: string) => { failed: number } } }, serviceId: string, deadPort: number,
  send: (i: number) => Promise<{ status: number }>, count = 4
): Promise<RefusingTargetRun> {
  const before = retryCounts(serviceId)
  const statuses: number[] = []
  for (let i = 0; i < count; i++) statuses.push((await send(i)).status)
  return { statuses, refused: gateway.targets.get(`127.0.0.1:${deadPort}`).failed, counted: retryCountsSince(serviceId, before) }
}
