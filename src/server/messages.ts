import type { GatewayConfig } from '../config/gateway-config.js'
import type { MetricJson } from '../metrics/family.js'
import type { ProfilerReply, ProfilerRequest } from '../profiler/messages.js'
import type { TargetHealthMessage } from '../upstream/active-health/upstream-health.js'
import type { PassiveTargetState } from '../upstream/health/passive-report.js'

/** Messages from the primary to a worker. */
export type ToWorker =
  /** `leader`: this worker writes the node's heartbeat and last-good route table (one per node). */
  | { type: 'config', version: number, config: GatewayConfig, leader: boolean }
  | { type: 'drain', timeoutMs: number }
  | { type: 'reopen-logs' }
  /** Send a metrics snapshot now (a scrape is waiting). */
  | { type: 'collect-metrics' }
  | ProfilerRequest
  | TargetHealthMessage

/** Messages from a worker to the primary. */
export type ToPrimary =
  | { type: 'hello' }
  | { type: 'applied', version: number, ports: number[] }
  | { type: 'refused', version: number, reason: string }
  /** The worker's metric totals since it started, and its degraded modes. */
  | { type: 'metrics', metrics: MetricJson[], degraded: string[] }
  | ProfilerReply
  | { type: 'target-states', targets: PassiveTargetState[] }
