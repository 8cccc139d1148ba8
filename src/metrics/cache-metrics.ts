import { metrics } from './registry.js'

/**
 * Cache lookups by cache and level (`l1` memory, `l2` redis, `origin` config service) and result
 * (`hit`, `miss`, `stale`). For the control plane's layered cache: keep the series handle per
 * (cache, level, result), e.g. `const l1Hit = cacheLookups.series('merchants', 'l1', 'hit')`, and
 * call `l1Hit.inc()` per lookup.
 */
export const cacheLookups = metrics.counter('tollgate_cache_lookups_total', 'Cache lookups by cache, level and result.', { labels: ['cache', 'level', 'result'] })

/** Seconds between the config service publishing a version and this worker applying it (control plane). */
export const configLagSeconds = metrics.gauge('tollgate_config_lag_seconds', 'Seconds from a config version being published to this worker applying it (control-plane mode).', { labels: ['worker'], aggregator: 'max' })

/** Rate-limit policy fallbacks (e.g. redis unreachable → local), by policy. */
export const rateLimitFallbacks = metrics.counter('tollgate_rate_limit_fallbacks_total', 'Rate-limit decisions taken by the fallback policy because the configured one failed.', { labels: ['policy', 'fallback'] })
