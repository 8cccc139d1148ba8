import { metrics } from '../../metrics/registry.js'

const sent = metrics.counter('tollgate_http_log_sent_records_total', 'http-log records the collector accepted.')
const dropped = metrics.counter('tollgate_http_log_dropped_records_total', 'http-log records dropped: queue full, retries exhausted, refused by the collector (4xx), or left at shutdown.', { labels: ['reason'] })
const retries = metrics.counter('tollgate_http_log_retries_total', 'http-log batch POSTs retried after a failure.')

/** Why records were dropped (the `reason` label). */
export type DropReason = 'queue-full' | 'retries-exhausted' | 'rejected' | 'shutdown'

/** The counters of this worker's http-log shippers (all destinations together). */
export const httpLogCounters = {
  sent: sent.series(),
  retries: retries.series(),
  dropped: {
    'queue-full': dropped.series('queue-full'),
    'retries-exhausted': dropped.series('retries-exhausted'),
    rejected: dropped.series('rejected'),
    shutdown: dropped.series('shutdown')
  } satisfies Record<DropReason, { inc: (by?: number) => void, value: number }>
}

/** http-log counters of this worker since it started. */
export function httpLogStats (): { sentRecords: number, retries: number, droppedRecords: Record<DropReason, number> } {
  const d = httpLogCounters.dropped
  return {
    sentRecords: httpLogCounters.sent.value,
    retries: httpLogCounters.retries.value,
    droppedRecords: { 'queue-full': d['queue-full'].value, 'retries-exhausted': d['retries-exhausted'].value, rejected: d.rejected.value, shutdown: d.shutdown.value }
  }
}
