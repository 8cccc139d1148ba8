/**
 * gRPC status codes and the HTTP status each is answered with (the table of docs/grpc.md, as
 * Google's HTTP/JSON transcoding maps them; CANCELLED is the non-standard 499 "client closed").
 */
import { status as GrpcStatus } from '@grpc/grpc-js'

export { GrpcStatus }

const HTTP_BY_STATUS: Readonly<Record<number, number>> = {
  [GrpcStatus.OK]: 200,
  [GrpcStatus.CANCELLED]: 499,
  [GrpcStatus.UNKNOWN]: 500,
  [GrpcStatus.INVALID_ARGUMENT]: 400,
  [GrpcStatus.DEADLINE_EXCEEDED]: 504,
  [GrpcStatus.NOT_FOUND]: 404,
  [GrpcStatus.ALREADY_EXISTS]: 409,
  [GrpcStatus.PERMISSION_DENIED]: 403,
  [GrpcStatus.RESOURCE_EXHAUSTED]: 429,
  [GrpcStatus.FAILED_PRECONDITION]: 400,
  [GrpcStatus.ABORTED]: 409,
  [GrpcStatus.OUT_OF_RANGE]: 400,
  [GrpcStatus.UNIMPLEMENTED]: 501,
  [GrpcStatus.INTERNAL]: 500,
  [GrpcStatus.UNAVAILABLE]: 503,
  [GrpcStatus.DATA_LOSS]: 500,
  [GrpcStatus.UNAUTHENTICATED]: 401
}

/** The HTTP status for a gRPC status code; 500 for codes outside the standard 17. */
export function httpStatusForGrpc (code: number): number {
  return HTTP_BY_STATUS[code] ?? 500
}

/** The name of a gRPC status code ("NOT_FOUND"), or "STATUS_<n>" for an unknown one. */
export function grpcStatusName (code: number): string {
  return (GrpcStatus as unknown as Record<number, string | undefined>)[code] ?? `STATUS_${code}`
}
