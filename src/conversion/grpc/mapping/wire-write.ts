/** Writes converted scalar values with protobufjs's Writer (tags are written by the caller). */
import type protobuf from 'protobufjs'
import type { ScalarKind } from './message-facts.js'
import type { ScalarValue } from './json-scalars.js'

type LongLike = protobuf.Long

/** The two's-complement halves of a 64-bit value, the form protobufjs's writer takes without a double. */
function bits (value: bigint): LongLike {
  const unsigned = BigInt.asUintN(64, value)
  return { low: Number(unsigned & 0xffffffffn) | 0, high: Number(unsigned >> 32n) | 0, unsigned: false } as unknown as LongLike
}

/** A field's tag: number and wire type. */
export function writeTag (writer: protobuf.Writer, id: number, wireType: number): void {
  writer.uint32((id << 3 | wireType) >>> 0)
}

/** Writes one scalar value of `kind` (already converted and range checked). */
export function writeScalar (writer: protobuf.Writer, kind: ScalarKind, value: ScalarValue): void {
  switch (kind) {
    case 'double': writer.double(value as number); break
    case 'float': writer.float(value as number); break
    case 'int32': writer.int32(value as number); break
    case 'uint32': writer.uint32(value as number); break
    case 'sint32': writer.sint32(value as number); break
    case 'fixed32': writer.fixed32(value as number); break
    case 'sfixed32': writer.sfixed32(value as number); break
    case 'int64': writer.int64(bits(value as bigint)); break
    case 'uint64': writer.uint64(bits(value as bigint)); break
    case 'sint64': writer.sint64(bits(value as bigint)); break
    case 'fixed64': writer.fixed64(bits(value as bigint)); break
    case 'sfixed64': writer.sfixed64(bits(value as bigint)); break
    case 'bool': writer.bool(value as boolean); break
    case 'string': writer.string(value as string); break
    case 'bytes': writer.bytes(value as Buffer); break
  }
}
