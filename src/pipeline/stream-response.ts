import type { RequestContext } from './context.js'
import { ResponseView } from './context.js'
import { carriesBody } from './carries-body.js'
import { runBodyFilters, runHeaderFilters } from './filters.js'
import { serverTiming } from '../tracing/request-hooks.js'

/**
 * A response whose body is sent while it is still arriving (an upstream body, a gRPC stream), as
 * opposed to `sendReply`'s whole body. Each piece goes through the response filters and is counted
 * in `ctx.response.bytesSent`, so the log phase sees what reached the client (nothing, when a
 * response to HEAD, a 204 or a 304 carries no body: carries-body.ts). The caller ends the request
 * (`finishRequest`) once the body ended or the connection was cut.
 */

/**
 * Sends the head: `x-request-id` (and Server-Timing when asked) are added to `flat`, then the
 * header filters run. False when a header filter failed: nothing was sent, and `ctx.response`
 * carries the failure's code for the error reply the caller sends instead.
 * @param generated true when the gateway made the body (a conversion), not an upstream
 */
export function sendStreamHead (ctx: RequestContext, status: number, flat: string[], generated: boolean): boolean {
  flat.push('x-request-id', ctx.request.id)
  if (ctx.debugTimings !== undefined) flat.push('server-timing', serverTiming(ctx))
  const chain = ctx.chain
  ctx.response = new ResponseView(status, flat, generated)
  if (chain.headerFilter.length === 0 && chain.bodyFilter.length === 0) {
    ctx.sink.writeHead(status, flat)
    return true
  }
  // The header list is made only if a filter reads the headers (one that applies to nothing
  // here, e.g. for another method, then costs no copy).
  if (!runHeaderFilters(ctx)) return false
  // A plugin whose body filter changes the length removes content-length in its header filter
  // (the ingress then frames the body itself); a filter that only reads the body keeps it.
  ctx.sink.writeHead(ctx.response.status, ctx.response.flatHeaders())
  return true
}

/**
 * Sends one body chunk through the body filters. False when the client is slow: the caller stops
 * reading its source, and `resume` is called once the client took what was written.
 */
export function sendStreamChunk (ctx: RequestContext, chunk: Buffer, resume: () => void): boolean {
  const out = ctx.chain.bodyFilter.length > 0 ? runBodyFilters(ctx, chunk, false) : chunk
  if (out.length === 0 || !carriesBody(ctx.request.method, ctx.response?.status ?? 200)) return true
  if (ctx.response !== undefined) ctx.response.bytesSent += out.length
  if (ctx.sink.write(out)) return true
  ctx.sink.onDrain(resume)
  return false
}

/** Ends the body, with what the body filters still hold. */
export function endStream (ctx: RequestContext): void {
  if (ctx.chain.bodyFilter.length === 0) {
    ctx.sink.end()
    return
  }
  const tail = runBodyFilters(ctx, Buffer.alloc(0), true)
  if (tail.length === 0 || !carriesBody(ctx.request.method, ctx.response?.status ?? 200)) {
    ctx.sink.end()
    return
  }
  if (ctx.response !== undefined) ctx.response.bytesSent += tail.length
  ctx.sink.end(tail)
}
