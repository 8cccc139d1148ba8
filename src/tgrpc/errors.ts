/** Why a TG-RPC byte stream was refused; the connection is closed after one of these. */
export type TgRpcProtocolCode =
  | 'BAD_MAGIC' | 'BAD_VERSION' | 'BAD_FRAME_TYPE' | 'BAD_FLAGS' | 'BAD_REQUEST_ID'
  | 'HEADER_TOO_LARGE' | 'BODY_TOO_LARGE' | 'BAD_HEADER_MAP'

/** A peer broke the framing rules of docs/tgrpc.md. */
export class TgRpcProtocolError extends Error {
  readonly code: TgRpcProtocolCode
  constructor (code: TgRpcProtocolCode, message: string) {
    super(`TG-RPC ${code}: ${message}`)
    this.code = code
  }
}

/** A call that ended without a response from the server (connection lost, deadline, cancelled). */
export class TgRpcCallError extends Error {
  /** The TG-RPC status the call ends with (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED…). */
  readonly status: number
  /** True when the request frame may have reached the server (a retry could run the call twice). */
  readonly maybeSent: boolean
  constructor (status: number, message: string, maybeSent: boolean) {
    super(message)
    this.status = status
    this.maybeSent = maybeSent
  }
}
