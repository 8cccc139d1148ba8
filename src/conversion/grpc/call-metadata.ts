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
    if (value !== undefined && copyable(name) && !name.endsWith('-bin')) add(metadata, name, value)
  }
  add(metadata, requestIdHeader, request.id)
  if (ctx.merchant !== undefined) add(metadata, 'x-merchant-id', ctx.merchant.id)
  for (const name of ['traceparent', 'tracestate']) {
    const value = request.headers.get(name)
    if (value !== undefined) add(metadata, name, value)
  }
  return metadata
}

/** Sets one entry; a value gRPC cannot carry (bytes outside printable ASCII) is left out rather than failing the call. */
function add (metadata: Metadata, key: string, value: string): void {
  if (/^[\x20-\x7e]*$/.test(value)) metadata.set(key, value)
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
