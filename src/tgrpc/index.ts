/**
 * TG-RPC (`tollgate/tgrpc`): Tollgate's framed RPC over TCP. The protocol is specified in
 * docs/tgrpc.md; this module holds the codec, the client the gateway uses, and a server library
 * for backends written in TypeScript.
 */
export { TgRpcServer, type TgRpcHandler, type TgRpcResult, type TgRpcServerCall, type TgRpcServerOptions } from './server.js'
export { jsonHandler, jsonError, type JsonCallHandler } from './json-handler.js'
export { TgRpcConnection, type TgRpcCall, type TgRpcReply, type TgRpcCallback, type TgRpcConnectionOptions } from './client-connection.js'
export { TgRpcTargetClient, type TargetClientOptions } from './target-client.js'
export { TgRpcStatus, statusName, httpStatusFor } from './status.js'
export { TgRpcCallError, TgRpcProtocolError, type TgRpcProtocolCode } from './errors.js'
export { encodeFrame, type Frame } from './frame.js'
export { FrameDecoder, type DecoderLimits } from './frame-decoder.js'
export { FrameType, HeaderKey, MAGIC, VERSION, HEAD_BYTES } from './protocol.js'
