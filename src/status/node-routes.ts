import { createRequire } from 'node:module'
import type { MetricJson } from '../metrics/family.js'
import { METRICS_CONTENT_TYPE } from '../metrics/node-metrics.js'
import type { MetricsHub } from '../metrics/metrics-hub.js'
import type { NodeState } from './node-state.js'
import type { StatusServer } from './status-server.js'

const PACKAGE_VERSION = (createRequire(import.meta.url)('../../../package.json') as { version: string }).version

/** How long a scrape waits for the workers' fresh totals before answering with the last ones. */
const SCRAPE_WAIT_MS = 500

/** The primary's own metric families: config version and worker restarts. */
export function nodeFamilies (state: NodeState): MetricJson[] {
  const workers = state.workers()
  return [
    { name: 'tollgate_config_version', help: 'Config version the primary holds (1 at start, +1 per accepted reload).', type: 'gauge', aggregator: 'max', values: [{ value: state.configVersion, labels: {} }] },
    { name: 'tollgate_config_workers_behind', help: 'Worker slots not (yet) serving the primary\'s config version.', type: 'gauge', aggregator: 'max', values: [{ value: workers.filter((w) => w.config_version !== state.configVersion).length, labels: {} }] },
    { name: 'tollgate_config_reload_refused', help: '1 while the last reload was refused (the running config stays), else 0.', type: 'gauge', aggregator: 'max', values: [{ value: state.lastReloadProblems.length > 0 ? 1 : 0, labels: {} }] },
    { name: 'tollgate_workers_serving', help: 'Worker processes serving a config.', type: 'gauge', aggregator: 'max', values: [{ value: workers.filter((w) => w.listening).length, labels: {} }] },
    { name: 'tollgate_worker_restarts_total', help: 'Restarts of each worker slot after a crash or kill.', type: 'counter', aggregator: 'max', values: workers.map((w) => ({ value: w.restarts, labels: { worker: String(w.slot) } })) },
    { name: 'tollgate_uptime_seconds', help: 'Seconds since the primary started.', type: 'gauge', aggregator: 'max', values: [{ value: (Date.now() - state.startedAt) / 1000, labels: {} }] }
  ]
}

/** GET /status, /health/live, /health/ready and /metrics. */
export function addNodeRoutes (status: StatusServer, state: NodeState, hub: MetricsHub | undefined): void {
  status.route('GET', '/status', () => ({
    body: {
      version: PACKAGE_VERSION,
      node: process.version,
      pid: process.pid,
      uptime_seconds: Math.round((Date.now() - state.startedAt) / 100) / 10,
      config_version: state.configVersion,
      config_loaded_at: new Date(state.configLoadedAt).toISOString(),
      ready: state.readiness().ready,
      workers: state.workers(),
      degraded: state.degraded(),
      last_reload_problems: state.lastReloadProblems
    }
  }))
  status.route('GET', '/health/live', () => ({ body: { live: true } }))
  status.route('GET', '/health/ready', () => {
    const { ready, reasons } = state.readiness()
    return { status: ready ? 200 : 503, body: { ready, reasons } }
  })
  // With metrics off there is no /metrics (404), rather than an empty page that looks healthy.
  if (hub === undefined) return
  status.route('GET', '/metrics', async () => {
    return { headers: { 'content-type': METRICS_CONTENT_TYPE }, body: await hub.scrape(SCRAPE_WAIT_MS) }
  })
}
