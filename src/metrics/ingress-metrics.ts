import { metrics } from './registry.js'

/**
 * Listeners configured with `fast-h1` that a worker opened with the `node` ingress instead, by
 * reason (`module-missing`: Node's internal parser module is not there; `self-test-failed`: the
 * parser misjudged a framing attack). Summed over workers; 0 is the healthy value.
 */
export const ingressFallbacks = metrics.counter('tollgate_ingress_fallback_total', 'Listeners that fell back from fast-h1 to the node ingress at worker start, by listener and reason.', { labels: ['listener', 'reason'] })
