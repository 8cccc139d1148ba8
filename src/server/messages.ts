import type { GatewayConfig } from '../config/gateway-config.js'

/** Messages from the primary to a worker. */
export type ToWorker =
  | { type: 'config', version: number, config: GatewayConfig }
  | { type: 'drain', timeoutMs: number }
  | { type: 'reopen-logs' }

/** Messages from a worker to the primary. */
export type ToPrimary =
  | { type: 'hello' }
  | { type: 'applied', version: number, ports: number[] }
  | { type: 'refused', version: number, reason: string }
