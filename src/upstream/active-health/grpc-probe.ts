import { Client, Metadata, status as GrpcStatus } from '@grpc/grpc-js'
import protobuf from 'protobufjs'
import { channelAddress, channelCredentials, rawBytes, targetNameOptions } from '../../conversion/grpc/clients.js'
import type { TargetTls } from '../target-tls.js'
import { noAnswerIn, type TargetProbe } from './probe.js'

/** What a gRPC check asks. */
export interface GrpcCheck {
  /** The service named in the request; '' for the whole server. */
  readonly service: string
  /** TLS to the target (`grpc.tls`); undefined for plain-text HTTP/2. */
  readonly tls: TargetTls | undefined
}

/** The method of the standard gRPC health protocol (grpc.health.v1). */
const CHECK_METHOD = '/grpc.health.v1.Health/Check'
/** `HealthCheckResponse.ServingStatus` values. */
const SERVING_STATUS: readonly string[] = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN']
const SERVING = 1

/** `HealthCheckRequest { string service = 1; }`: field 1, wire type 2 (tag byte 0x0a); empty for ''. */
export function healthCheckRequest (service: string): Buffer {
  return Buffer.from(service === '' ? new Uint8Array(0) : protobuf.Writer.create().uint32(0x0a).string(service).finish())
}

/** `HealthCheckResponse { ServingStatus status = 1; }`: the status (0, UNKNOWN, when absent); throws on bytes that are not protobuf. */
export function servingStatusOf (bytes: Uint8Array): number {
  const reader = protobuf.Reader.create(bytes)
  let status = 0
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    if (tag === 0x08) status = reader.int32()
    else reader.skipType(tag & 7)
  }
  return status
}

/**
 * The gRPC check: grpc.health.v1.Health/Check on a channel of its own (its own subchannel pool,
 * closed after the check, so a check says whether a new connection works); it passes when the
 * answer says SERVING. The messages are encoded here, with no generated code.
 */
export function grpcProbe (check: GrpcCheck): TargetProbe {
  const credentials = channelCredentials(check.tls)
  const request = healthCheckRequest(check.service)
  return (target, timeoutMs) => new Promise((resolve) => {
    const client = new Client(channelAddress(target), credentials, {
      ...targetNameOptions(check.tls, target),
      'grpc.use_local_subchannel_pool': 1,
      'grpc.enable_retries': 0
    })
    client.makeUnaryRequest(CHECK_METHOD, rawBytes, rawBytes, request, new Metadata(), { deadline: Date.now() + timeoutMs }, (error, response) => {
      client.close()
      if (error !== null) {
        resolve(error.code === GrpcStatus.DEADLINE_EXCEEDED ? noAnswerIn(timeoutMs) : `${GrpcStatus[error.code] ?? `status ${error.code}`}: ${error.details}`)
        return
      }
      try {
        const serving = servingStatusOf(response ?? Buffer.alloc(0))
        resolve(serving === SERVING ? undefined : SERVING_STATUS[serving] ?? `serving status ${serving}`)
      } catch {
        resolve('the answer is not a HealthCheckResponse')
      }
    })
  })
}
