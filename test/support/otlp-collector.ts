import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One span as an OTLP/HTTP JSON export carries it (the fields tests look at). */
export interface ExportedSpan {
  traceId: string
  spanId: string
  parentSpanId?: string
  traceState?: string
  name: string
  kind: number
  startTimeUnixNano: string
  endTimeUnixNano: string
  attributes: Array<{ key: string, value: Record<string, unknown> }>
  events: Array<{ name: string, timeUnixNano: string, attributes: Array<{ key: string, value: Record<string, unknown> }> }>
  status: { code?: number, message?: string }
}

/**
 * A collector for OTLP/HTTP JSON traces on 127.0.0.1: accepts POST /v1/traces with
 * `content-type: application/json`, checks the ExportTraceServiceRequest shape (resourceSpans →
 * scopeSpans → spans, hex ids of the right length) and answers 200 `{}` as the OTLP spec says;
 * a malformed export is answered 400 and remembered in `rejected`.
 */
export class OtlpCollector {
  readonly spans: ExportedSpan[] = []
  readonly resources: Array<Record<string, unknown>> = []
  readonly rejected: string[] = []
  requests = 0
  /** Answer exports with this status instead of 200 (to test failures). */
  failWith: number | undefined = undefined
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      this.requests++
      if (this.failWith !== undefined) return this.answer(res, this.failWith, '{"message":"unavailable"}')
      if (req.method !== 'POST' || req.url !== '/v1/traces' || !String(req.headers['content-type']).startsWith('application/json')) {
        this.rejected.push(`${req.method} ${req.url} ${req.headers['content-type']}`)
        return this.answer(res, 400, '{"message":"expected POST /v1/traces application/json"}')
      }
      const problem = this.accept(Buffer.concat(chunks).toString('utf8'))
      if (problem !== undefined) {
        this.rejected.push(problem)
        return this.answer(res, 400, JSON.stringify({ message: problem }))
      }
      this.answer(res, 200, '{}')
    })
  })

  async listen (): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as AddressInfo).port
  }

  close (): Promise<void> {
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }

  private answer (res: http.ServerResponse, status: number, body: string): void {
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) })
    res.end(body)
  }

  private accept (text: string): string | undefined {
    let body: { resourceSpans?: Array<{ resource?: Record<string, unknown>, scopeSpans?: Array<{ spans?: ExportedSpan[] }> }> }
    try {
      body = JSON.parse(text) as typeof body
    } catch {
      return 'body is not JSON'
    }
    if (!Array.isArray(body.resourceSpans)) return 'resourceSpans missing'
    const spans: ExportedSpan[] = []
    for (const resourceSpan of body.resourceSpans) {
      if (!Array.isArray(resourceSpan.scopeSpans)) return 'scopeSpans missing'
      for (const scope of resourceSpan.scopeSpans) {
        for (const span of scope.spans ?? []) {
          if (!/^[0-9a-f]{32}$/.test(span.traceId)) return `bad traceId ${span.traceId}`
          if (!/^[0-9a-f]{16}$/.test(span.spanId)) return `bad spanId ${span.spanId}`
          if (span.parentSpanId !== undefined && !/^[0-9a-f]{16}$/.test(span.parentSpanId)) return `bad parentSpanId ${span.parentSpanId}`
          if (!/^\d+$/.test(span.startTimeUnixNano) || !/^\d+$/.test(span.endTimeUnixNano)) return 'times must be decimal nanosecond strings'
          if (BigInt(span.endTimeUnixNano) < BigInt(span.startTimeUnixNano)) return 'span ends before it starts'
          spans.push(span)
        }
      }
      this.resources.push(resourceSpan.resource ?? {})
    }
    this.spans.push(...spans)
    return undefined
  }
}

/** The value of a span attribute (string, int or double), or undefined. */
export function spanAttribute (span: { attributes: Array<{ key: string, value: Record<string, unknown> }> }, key: string): unknown {
  const found = span.attributes.find((a) => a.key === key)?.value
  if (found === undefined) return undefined
  if ('stringValue' in found) return found.stringValue
  if ('intValue' in found) return Number(found.intValue)
  return found.doubleValue
}
