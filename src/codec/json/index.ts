/**
 * Tollgate's lossless JSON codec (`tollgate/json`): strict RFC 8259 validation with coded errors,
 * a lazy document of byte offsets, exact numbers, path edits, and a byte-exact `emit()`.
 * It imports nothing from the gateway and nothing beyond Node. See README.md in this folder.
 */
export { scan, resolveScanOptions, DEFAULT_MAX_BYTES, DEFAULT_MAX_DEPTH, MAX_DEPTH_LIMIT } from './scan.js'
export type { ScanOptions, ScanLimits } from './scan.js'
export { JsonDocument } from './document.js'
export { JsonValue } from './value.js'
export { JsonNumber } from './number.js'
export { RawJson, rawJson } from './serialize.js'
export type { JsonInput } from './serialize.js'
export type { JsonPath } from './path.js'
export type { JsonKind } from './tape.js'
export type { EmitOptions } from './emit.js'
export type { ToJSOptions } from './to-js.js'
export { JsonCodecError, JsonSyntaxError } from './errors.js'
export type { JsonErrorCode, JsonSyntaxCode, JsonUsageCode } from './errors.js'
export { SizeGuard, readBody } from './size-guard.js'
export type { ReadBodyOptions } from './size-guard.js'
