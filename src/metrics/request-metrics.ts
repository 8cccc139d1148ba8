import type { PluginContext } from '../kit/context.js'
import type { CounterSeries, HistogramSeries } from './family.js'
import { LATENCY_BUCKETS_SECONDS, metrics } from './registry.js'

/** Status classes by hundreds digit; index 0 stands for "no status" (the client left first). */
const STATUS_CLASSES = ['none', '1xx', '2xx', '3xx', '4xx', '5xx'] as const
const NO_ROUTE = '(none)'
const OTHER_MERCHANT = '(other)'

const requests = metrics.counter('tollgate_requests_total', 'Requests finished, by route, service and status class ("none": the client left before a status was sent).', { labels: ['route', 'service', 'status_class'] })
const totalSeconds = metrics.histogram('tollgate_request_duration_seconds', 'Time from arrival to the last byte sent.', LATENCY_BUCKETS_SECONDS, { labels: ['route', 'service'] })
const upstreamSeconds = metrics.histogram('tollgate_upstream_duration_seconds', 'Time from sending upstream to the response head (last attempt), for requests that reached an upstream.', LATENCY_BUCKETS_SECONDS, { labels: ['route', 'service'] })
const gatewaySeconds = metrics.histogram('tollgate_gateway_duration_seconds', 'The gateway\'s own share: time from arrival until the upstream was called (the whole time for replies the gateway generated).', LATENCY_BUCKETS_SECONDS, { labels: ['route', 'service'] })
const bytesIn = metrics.counter('tollgate_request_body_bytes_total', 'Request body bytes with a known length (Content-Length or a body read by a plugin).', { labels: ['route', 'service'] })
const bytesOut = metrics.counter('tollgate_response_body_bytes_total', 'Response body bytes sent to clients.', { labels: ['route', 'service'] })
const rateLimited = metrics.counter('tollgate_rate_limit_rejections_total', 'Requests answered 429 TG_RATE_LIMITED, by route.', { labels: ['route'] })
const byMerchant = metrics.counter('tollgate_merchant_requests_total', 'Requests per merchant for the first merchant_label_cap merchants seen by a worker, the rest as "(other)".', { labels: ['merchant', 'status_class'] })

/** The series of one route × service, made once so a request only bumps numbers. */
class RouteSeries {
  readonly requests: CounterSeries[]
  readonly total: HistogramSeries
  readonly upstream: HistogramSeries
  readonly gateway: HistogramSeries
  readonly bytesIn: CounterSeries
  readonly bytesOut: CounterSeries
  readonly rateLimited: CounterSeries

  constructor (route: string, service: string) {
    this.requests = STATUS_CLASSES.map((c) => requests.series(route, service, c))
    this.total = totalSeconds.series(route, service)
    this.upstream = upstreamSeconds.series(route, service)
    this.gateway = gatewaySeconds.series(route, service)
    this.bytesIn = bytesIn.series(route, service)
    this.bytesOut = bytesOut.series(route, service)
    this.rateLimited = rateLimited.series(route)
  }
}

function statusClass (status: number | undefined): number {
  if (status === undefined || status < 100 || status > 599) return 0
  return (status / 100) | 0
}

/**
 * Per-request counting for /metrics: one call when a request finishes. Route × service series are
 * looked up in two maps (ids from the config, so the label set is bounded by it); merchants only
 * when a cap is configured, and only up to it.
 */
export class RequestMetrics {
  enabled = false
  private merchantCap = 0
  private readonly byRoute = new Map<string, Map<string, RouteSeries>>()
  private readonly merchants = new Map<string, CounterSeries[]>()

  configure (enabled: boolean, merchantCap: number): void {
    this.enabled = enabled
    this.merchantCap = merchantCap
  }

  record (ctx: PluginContext): void {
    const series = this.seriesOf(ctx.routeId, ctx.serviceId)
    const response = ctx.response
    const cls = statusClass(response?.status)
    ;(series.requests[cls] as CounterSeries).value++
    const timings = ctx.timings
    series.total.observe(timings.totalMs / 1000)
    if (timings.upstreamMs >= 0) series.upstream.observe(timings.upstreamMs / 1000)
    if (timings.gatewayMs >= 0) series.gateway.observe(timings.gatewayMs / 1000)
    const length = ctx.request.bodyLength
    if (length !== undefined) series.bytesIn.value += length
    if (response !== undefined) {
      series.bytesOut.value += response.bytesSent
      if (response.errorCode === 'TG_RATE_LIMITED') series.rateLimited.value++
    }
    if (this.merchantCap > 0 && ctx.merchant !== undefined) this.countMerchant(ctx.merchant.id, cls)
  }

  private seriesOf (routeId: string, serviceId: string): RouteSeries {
    let byService = this.byRoute.get(routeId)
    if (byService === undefined) this.byRoute.set(routeId, (byService = new Map()))
    let series = byService.get(serviceId)
    if (series === undefined) byService.set(serviceId, (series = new RouteSeries(routeId === '' ? NO_ROUTE : routeId, serviceId === '' ? NO_ROUTE : serviceId)))
    return series
  }

  private countMerchant (merchantId: string, cls: number): void {
    let series = this.merchants.get(merchantId)
    if (series === undefined) {
      const label = this.merchants.size < this.merchantCap ? merchantId : OTHER_MERCHANT
      series = STATUS_CLASSES.map((c) => byMerchant.series(label, c))
      // Merchants past the cap share "(other)" without growing the map beyond cap + their count.
      if (label !== OTHER_MERCHANT) this.merchants.set(merchantId, series)
    }
    ;(series[cls] as CounterSeries).value++
  }
}

export const requestMetrics = new RequestMetrics()
