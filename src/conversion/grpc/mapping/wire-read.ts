/**
 * Reads the fields of one message from protobuf bytes into values per field: the last value of a
 * singular field, every value of a list (packed or not), the entries of a map, and the byte runs
 * of a singular message field (their concatenation is the merged message, as protobuf says).
 * 64-bit integers are read as exact decimal strings; unknown fields are skipped.
 */
import protobuf from 'protobufjs'
import { WireType, type FieldFacts, type MessageFacts, type ValueKind } from './message-facts.js'

const TWO_32 = 4294967296

/**
 * The decimal text of a 64-bit value from its two 32-bit halves: through a double when that is
 * exact (|value| ≤ 2^53, most ids and amounts), else through BigInt; never a rounded double.
 */
function longText (value: protobuf.Long | number, signed: boolean): string {
  if (typeof value === 'number') throw new WireError('64-bit integers need the long package (a protobufjs dependency)')
  const low = value.low >>> 0
  const high = signed ? value.high | 0 : value.high >>> 0
  const approximate = high * TWO_32 + low
  if (Number.isSafeInteger(approximate)) return String(approximate)
  const bits = BigInt(value.high >>> 0) << 32n | BigInt(low)
  return (signed ? BigInt.asIntN(64, bits) : bits).toString()
}

/** A decoded value: numbers for 32-bit kinds, floats and enums; strings for 64-bit kinds; Buffers for bytes and messages. */
export type WireValue = number | string | boolean | Buffer

/** What was read for one field. */
export type FieldContent =
  | { readonly kind: 'single', value: WireValue }
  | { readonly kind: 'message', readonly parts: Buffer[] }
  | { readonly kind: 'list', readonly values: WireValue[] }
  | { readonly kind: 'map', readonly entries: Map<string, WireValue> }

/** Thrown for bytes that do not decode as the expected message. */
export class WireError extends Error {}

/** Every field present in `bytes` of a `facts` message. */
export function readFields (facts: MessageFacts, bytes: Uint8Array): Map<FieldFacts, FieldContent> {
  const reader = protobuf.Reader.create(bytes)
  const content = new Map<FieldFacts, FieldContent>()
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32()
      const id = tag >>> 3
      const wireType = tag & 7
      if (id === 0) throw new WireError('field number 0')
      const field = facts.byId.get(id)
      if (field === undefined) {
        reader.skipType(wireType)
        continue
      }
      readField(reader, field, wireType, content)
    }
  } catch (error) {
    if (error instanceof WireError) throw error
    throw new WireError(`${facts.fullName}: ${(error as Error).message}`)
  }
  return content
}

function readField (reader: protobuf.Reader, field: FieldFacts, wireType: number, content: Map<FieldFacts, FieldContent>): void {
  if (field.mapKey !== undefined) {
    if (wireType !== WireType.LEN) throw new WireError(`map field '${field.name}' with wire type ${wireType}`)
    const entries = content.get(field) as { entries: Map<string, WireValue> } | undefined ?? { kind: 'map' as const, entries: new Map<string, WireValue>() }
    content.set(field, entries as FieldContent)
    readMapEntry(protobuf.Reader.create(reader.bytes()), field, entries.entries)
    return
  }
  if (field.repeated) {
    const list = (content.get(field) as { values: WireValue[] } | undefined) ?? { kind: 'list' as const, values: [] as WireValue[] }
    content.set(field, list as FieldContent)
    if (wireType === WireType.LEN && field.wireType !== WireType.LEN) {
      const end = reader.uint32() + reader.pos
      while (reader.pos < end) list.values.push(readValue(reader, field.value))
      return
    }
    expectWire(field, wireType)
    list.values.push(readValue(reader, field.value))
    return
  }
  expectWire(field, wireType)
  if ('message' in field.value) {
    const earlier = content.get(field) as { parts: Buffer[] } | undefined
    const part = reader.bytes() as Buffer
    if (earlier === undefined) content.set(field, { kind: 'message', parts: [part] })
    else earlier.parts.push(part)
    return
  }
  content.set(field, { kind: 'single', value: readValue(reader, field.value) })
}

function expectWire (field: FieldFacts, wireType: number): void {
  if (wireType !== field.wireType) throw new WireError(`field '${field.name}' has wire type ${wireType}, expected ${field.wireType}`)
}

function readMapEntry (reader: protobuf.Reader, field: FieldFacts, entries: Map<string, WireValue>): void {
  const keyKind = field.mapKey as NonNullable<FieldFacts['mapKey']>
  let key: WireValue = keyKind === 'string' ? '' : keyKind === 'bool' ? false : '0'
  let value: WireValue | undefined
  while (reader.pos < reader.len) {
    const tag = reader.uint32()
    if (tag >>> 3 === 1) key = readValue(reader, { scalar: keyKind })
    else if (tag >>> 3 === 2) value = readValue(reader, field.value)
    else reader.skipType(tag & 7)
  }
  entries.set(String(key), value ?? defaultOf(field.value))
}

/** The default of a value kind in decoded form (a message's default is its empty encoding). */
export function defaultOf (kind: ValueKind): WireValue {
  if ('message' in kind) return Buffer.alloc(0)
  if ('enumType' in kind) return 0
  switch (kind.scalar) {
    case 'string': return ''
    case 'bytes': return Buffer.alloc(0)
    case 'bool': return false
    case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return '0'
    default: return 0
  }
}

function readValue (reader: protobuf.Reader, kind: ValueKind): WireValue {
  if ('message' in kind) return reader.bytes() as Buffer
  if ('enumType' in kind) return reader.int32()
  switch (kind.scalar) {
    case 'double': return reader.double()
    case 'float': return reader.float()
    case 'int32': return reader.int32()
    case 'uint32': return reader.uint32()
    case 'sint32': return reader.sint32()
    case 'fixed32': return reader.fixed32()
    case 'sfixed32': return reader.sfixed32()
    case 'int64': return longText(reader.int64(), true)
    case 'uint64': return longText(reader.uint64(), false)
    case 'sint64': return longText(reader.sint64(), true)
    case 'fixed64': return longText(reader.fixed64(), false)
    case 'sfixed64': return longText(reader.sfixed64(), true)
    case 'bool': return reader.bool()
    case 'string': return reader.string()
    case 'bytes': return reader.bytes() as Buffer
  }
}
