import { metrics } from '../../metrics/registry.js'

/** Upstream JSON bodies the body rules applied to but that were malformed, passed through unchanged. */
export const malformedPassedThrough = metrics.counter('tollgate_response_transformer_malformed_total', 'Upstream JSON bodies response-transformer could not parse and passed through unchanged.', { labels: [] })
