import type { HeaderList } from '../kit/headers.js'
import type { RequestContext } from '../pipeline/context.js'
import type { RequestStep } from '../pipeline/chain.js'
import { tokenMatches } from '../status/token.js'
import { observability } from './observability-settings.js'
import { decideTrace, formatTraceparent } from './trace-context.js'

/**
 * Decides the request's trace and rewrites the trace headers sent upstream: a valid traceparent
 * from a trusted peer is continued (same trace id, the gateway's span as parent, tracestate kept);
 * anything else is replaced by a new trace and its tracestate dropped, so an invalid or untrusted
 * header is never forwarded.
 */
export function startTrace (ctx: RequestContext, headers: HeaderList, trustedPeer: boolean): void {
  const incoming = headers.get('traceparent')
  const trace = decideTrace(incoming, headers.get('tracestate'), trustedPeer || observability.traceFromAnyPeer)
  ctx.trace = trace
  headers.set('traceparent', formatTraceparent(trace))
  if (trace.state === undefined) {
    if (headers.get('tracestate') !== undefined) headers.delete('tracestate')
  } else {
    headers.set('tracestate', trace.state)
  }
}

/**
 * Turns on per-plugin timings for this request when it carries the debug header with the right
 * token (compared in constant time). The header never goes upstream, right token or not.
 */
export function checkDebugHeader (ctx: RequestContext, headers: HeaderList, name: string): void {
  const presented = headers.get(name)
  if (presented === undefined) return
  headers.delete(name)
  if (tokenMatches(presented, observability.debugToken)) ctx.debugTimings = []
}

/** Runs one plugin step and records its time (a promise's until it settles) for the debug header. */
export function runTimed (ctx: RequestContext, step: RequestStep, phase: string, timings: string[]): unknown {
  const startedAt = performance.now()
  const record = (): void => { timings.push(`${step.name}.${phase};dur=${(performance.now() - startedAt).toFixed(3)}`) }
  const result = step.run(ctx, step.state)
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    return (result as Promise<unknown>).finally(record)
  }
  record()
  return result
}

function duration (name: string, ms: number): string | undefined {
  return ms < 0 ? undefined : `${name};dur=${ms.toFixed(3)}`
}

/**
 * The Server-Timing header of a debugged request, written with the response head: each plugin
 * phase, each plugin (name.phase), the gateway's time before the upstream call and the upstream's
 * time to the response head (ms).
 */
export function serverTiming (ctx: RequestContext): string {
  const t = ctx.timings
  const parts = [
    duration('rewrite', t.phaseMs.rewrite),
    duration('access', t.phaseMs.access),
    duration('content', t.phaseMs.content),
    ...(ctx.debugTimings ?? []),
    duration('gateway', t.gatewayMs >= 0 ? t.gatewayMs : ctx.elapsedMs()),
    duration('upstream', t.upstreamMs)
  ]
  return parts.filter((p) => p !== undefined).join(', ')
}
