/**
 * Metadata of a gRPC call from the HTTP request (request id, merchant, trace context and the
 * service's forwarded headers), and response headers from the backend's headers and trailers.
 */
import { Metadata } from '@grpc/grpc-js'
import type { RequestContext } from '../../pipeline/context.js'

// Metadata keys that HTTP/2 or gRPC itself owns; never copied in either direction.
const RESERVED = new Set(['content-type', 'content-length', 'te', 'host', 'user-agent', 'connection', 'keep-alive',
  'transfer-encoding', 'upgrade', 'trailer', 'proxy-connection', 'date', 'server'])
const KEY = /^[a-z0-9][a-z0-9._-]*$/

function copyable (key: string): boolean {
  return KEY.test(key) && !RESERVED.has(key) && !key.startsWith('grpc-')
}

/** The call metadata of `ctx`'s request. */
export function callMetadata (ctx: RequestContext, requestIdHeader: string, forwardHeaders: readonly string[]): Metadata {
  const metadata = new Metadata()
  const request = ctx.request
  for (const name of forwardHeaders) {
    const value = request.headers.get(name)
    if (value !== undefined && copyable(name) && !name.endsWith('-bin')) metadata.set(name, value)
  }
  metadata.set(requestIdHeader, request.id)
  if (ctx.merchant !== undefined) metadata.set('x-merchant-id', ctx.merchant.id)
  const traceparent = request.headers.get('traceparent')
  if (traceparent !== undefined) metadata.set('traceparent', traceparent)
  const tracestate = request.headers.get('tracestate')
  if (tracestate !== undefined) metadata.set('tracestate', tracestate)
  return metadata
}

/**
 * Response headers from the backend's response metadata and trailers (trailers win), minus the
 * keys gRPC and HTTP own; binary (`-bin`) values are sent in base64, as gRPC writes them.
 */
export function responseHeaders (headers: Metadata | undefined, trailers: Metadata | undefined): Record<string, string> {
  const out: Record<string, string> = {}
  for (const metadata of [headers, trailers]) {
    if (metadata === undefined) continue
    for (const [key, value] of Object.entries(metadata.getMap())) {
      if (!copyable(key)) continue
      out[key] = typeof value === 'string' ? value : value.toString('base64')
    }
  }
  return out
}
