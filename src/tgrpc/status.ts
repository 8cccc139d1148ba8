/**
 * TG-RPC status codes. They are gRPC's numbers on purpose: backends that also speak gRPC map
 * their errors once, and one table turns either into an HTTP status.
 */
export const TgRpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16
} as const

const NAMES = Object.keys(TgRpcStatus) as Array<keyof typeof TgRpcStatus>

/** The name of a status code ("UNAVAILABLE"), or "STATUS_<n>" for a code outside the table. */
export function statusName (code: number): string {
  return NAMES[code] ?? `STATUS_${code}`
}

// The standard RPC → HTTP table (the one gRPC gateways use): CANCELLED → 499 (client closed),
// UNIMPLEMENTED → 501, UNAVAILABLE → 503, DEADLINE_EXCEEDED → 504.
const HTTP_STATUS: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 501, 500, 503, 500, 401]

/** The HTTP status a merchant sees for an RPC status; codes outside the table are 500. */
export function httpStatusFor (code: number): number {
  return HTTP_STATUS[code] ?? 500
}
