/**
 * TG-RPC wire constants (docs/tgrpc.md is the normative text; this file must agree with it).
 * Every frame: a 24-byte big-endian head, a header map, a body.
 *
 *   offset 0  magic u16 = 0x5447 ("TG")     offset 8   request id u64
 *   offset 2  version u8 = 1                offset 16  header map length u32
 *   offset 3  frame type u8                 offset 20  body length u32
 *   offset 4  status u16
 *   offset 6  flags u16 (no flag is defined in version 1: senders write 0, receivers refuse others)
 */
export const MAGIC = 0x5447
export const VERSION = 1
export const HEAD_BYTES = 24

/** Frame types. */
export const FrameType = {
  /** Client → server: a call. */
  REQUEST: 1,
  /** Server → client: the answer to one call (status 0 = OK). */
  RESPONSE: 2,
  /** Client → server: the caller gave up on a call (deadline, disconnect); no response is required. */
  CANCEL: 3,
  /** Either way: liveness probe; the peer answers PONG with the same request id and body. */
  PING: 4,
  PONG: 5,
  /** Server → client: no new calls on this connection; calls with ids ≤ the frame's request id are still answered. */
  GOAWAY: 6,
  /** Server → client, first frame on a connection: the server's limits, as header map entries. */
  SETTINGS: 7
} as const
export type FrameTypeCode = typeof FrameType[keyof typeof FrameType]

/** Largest frame type number defined in version 1. */
export const MAX_FRAME_TYPE = 7

/** Limits a receiver enforces (the SETTINGS frame announces the server's). */
export const DEFAULT_MAX_HEADER_BYTES = 16 * 1024
/** Default cap of one frame's body; 16 MiB, the same order as the largest merchant payloads allowed. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024
/** Calls a server accepts in flight per connection unless its SETTINGS say otherwise. */
export const DEFAULT_MAX_CONCURRENT = 1024

/** Well-known header map keys. */
export const HeaderKey = {
  SERVICE: 'service',
  METHOD: 'method',
  /** Milliseconds the caller will still wait, as decimal digits (relative: no clock agreement needed). */
  DEADLINE_MS: 'deadline-ms',
  TRACEPARENT: 'traceparent',
  MERCHANT_ID: 'merchant-id',
  REQUEST_ID: 'request-id',
  CONTENT_TYPE: 'content-type',
  /** Error text of a non-OK response. */
  MESSAGE: 'message',
  /** The health method's request: the service whose status is asked; absent or empty for the whole server. */
  HEALTH_SERVICE: 'health-service',
  /** SETTINGS keys. */
  MAX_CONCURRENT: 'max-concurrent',
  MAX_BODY_BYTES: 'max-body-bytes',
  MAX_HEADER_BYTES: 'max-header-bytes'
} as const

/**
 * The health method (docs/tgrpc.md §9): OK when the server (or the service named in
 * `health-service`) is serving, UNAVAILABLE when it is not, NOT_FOUND for a service it does not know.
 */
export const HEALTH_CHECK = { service: 'tgrpc.health', method: 'check' } as const

/** Request ids are unsigned 64-bit on the wire; Tollgate issues and accepts ids below 2^53. */
export const MAX_REQUEST_ID = Number.MAX_SAFE_INTEGER
