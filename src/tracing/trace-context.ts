import { randomFillSync } from 'node:crypto'

/** The W3C trace context of one request as the gateway continues it (https://www.w3.org/TR/trace-context/). */
export interface TraceContext {
  /** 32 lower-case hex digits. */
  readonly traceId: string
  /** The gateway's own span: 16 hex digits; sent upstream as the parent id. */
  readonly spanId: string
  /** The caller's span when a traceparent was continued, else undefined (a root span). */
  readonly parentSpanId: string | undefined
  /** Trace flags, 2 hex digits; bit 0 = sampled. */
  readonly flags: string
  /** The incoming tracestate, forwarded only with a continued traceparent. */
  readonly state: string | undefined
}

const ZERO_TRACE = '00000000000000000000000000000000'
const ZERO_SPAN = '0000000000000000'

/** True when `text[from, to)` is lower-case hex (checked in place, without slicing). */
function isLowerHex (text: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i)
    if (!((c >= 48 && c <= 57) || (c >= 97 && c <= 102))) return false
  }
  return true
}

/**
 * Parses a traceparent header: `version-traceid-parentid-flags`, lower-case hex. Version 00 must
 * be exactly 55 characters; a later version may append fields after a `-` (they are ignored and
 * the header is continued as version 00); version ff, all-zero ids and upper case are invalid.
 * @returns the trace id, parent id and flags, or undefined when the header is invalid
 */
export function parseTraceparent (header: string): { traceId: string, parentId: string, flags: string } | undefined {
  if (header.length < 55) return undefined
  if (!isLowerHex(header, 0, 2) || header.startsWith('ff')) return undefined
  if (header.startsWith('00') ? header.length !== 55 : header.length > 55 && header[55] !== '-') return undefined
  if (header[2] !== '-' || header[35] !== '-' || header[52] !== '-') return undefined
  if (!isLowerHex(header, 3, 35) || !isLowerHex(header, 36, 52) || !isLowerHex(header, 53, 55)) return undefined
  const traceId = header.slice(3, 35)
  const parentId = header.slice(36, 52)
  if (traceId === ZERO_TRACE || parentId === ZERO_SPAN) return undefined
  return { traceId, parentId, flags: header.slice(53, 55) }
}

// Random ids come from a pool refilled 4 KiB at a time: one crypto call per ~170 requests.
const pool = Buffer.allocUnsafe(4096)
let poolOffset = pool.length

function randomHex (bytes: number, zero: string): string {
  for (;;) {
    if (poolOffset + bytes > pool.length) {
      randomFillSync(pool)
      poolOffset = 0
    }
    const hex = pool.toString('hex', poolOffset, poolOffset + bytes)
    poolOffset += bytes
    if (hex !== zero) return hex
  }
}

export function newTraceId (): string {
  return randomHex(16, ZERO_TRACE)
}

export function newSpanId (): string {
  return randomHex(8, ZERO_SPAN)
}

/**
 * The trace of a request: the incoming traceparent continued when `trusted` and valid (its
 * tracestate kept), else a new trace (sampled) whose tracestate is dropped. Either way the
 * gateway's span gets a new id.
 */
export function decideTrace (traceparent: string | undefined, tracestate: string | undefined, trusted: boolean): TraceContext {
  const incoming = trusted && traceparent !== undefined ? parseTraceparent(traceparent) : undefined
  if (incoming === undefined) return { traceId: newTraceId(), spanId: newSpanId(), parentSpanId: undefined, flags: '01', state: undefined }
  return { traceId: incoming.traceId, spanId: newSpanId(), parentSpanId: incoming.parentId, flags: incoming.flags, state: tracestate }
}

/** The traceparent sent upstream: the gateway's span as the parent. */
export function formatTraceparent (trace: TraceContext): string {
  return `00-${trace.traceId}-${trace.spanId}-${trace.flags}`
}

/** True when the sampled flag is set. */
export function isSampled (trace: TraceContext): boolean {
  return (parseInt(trace.flags, 16) & 1) === 1
}
