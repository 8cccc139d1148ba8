/**
 * What the JSON mapping needs to know about a message type, worked out once per type: its fields
 * by number and by both JSON names (lowerCamel or json_name, and the original name), each
 * field's kind and wire type, and whether the type is a well-known type with its own JSON form.
 */
import protobuf from 'protobufjs'

/** Scalar kinds of protobuf fields. */
export type ScalarKind = 'double' | 'float' | 'int32' | 'int64' | 'uint32' | 'uint64' | 'sint32' | 'sint64' |
  'fixed32' | 'fixed64' | 'sfixed32' | 'sfixed64' | 'bool' | 'string' | 'bytes'

/** Wire types (protobuf encoding): varint, 64-bit, length-delimited, 32-bit. */
export const WireType = { VARINT: 0, I64: 1, LEN: 2, I32: 5 } as const

const SCALAR_WIRE: Readonly<Record<ScalarKind, number>> = {
  double: WireType.I64, float: WireType.I32, int32: WireType.VARINT, int64: WireType.VARINT, uint32: WireType.VARINT,
  uint64: WireType.VARINT, sint32: WireType.VARINT, sint64: WireType.VARINT, fixed32: WireType.I32, fixed64: WireType.I64,
  sfixed32: WireType.I32, sfixed64: WireType.I64, bool: WireType.VARINT, string: WireType.LEN, bytes: WireType.LEN
}

/** The kind of a value slot: a scalar, an enum or a message. */
export type ValueKind =
  | { readonly scalar: ScalarKind }
  | { readonly enumType: protobuf.Enum }
  | { readonly message: protobuf.Type }

export interface FieldFacts {
  readonly name: string
  readonly jsonName: string
  /** `"jsonName":`, ready to print. */
  readonly jsonKey: string
  readonly id: number
  readonly value: ValueKind
  /** Wire type of one value (LEN for messages). */
  readonly wireType: number
  readonly repeated: boolean
  /** Repeated numeric fields are written packed (proto3 default unless `[packed = false]`). */
  readonly packed: boolean
  /** Map key kind (maps only). */
  readonly mapKey: ScalarKind | undefined
  /** Set for members of a oneof (proto3 `optional` fields are a synthetic oneof). */
  readonly oneof: string | undefined
  /** A value equal to the default is still written and printed (messages, oneof members, `optional`). */
  readonly hasPresence: boolean
}

export interface MessageFacts {
  readonly type: protobuf.Type
  /** Full name without the leading dot, e.g. `google.protobuf.Timestamp`. */
  readonly fullName: string
  /** In declaration order. */
  readonly fields: readonly FieldFacts[]
  readonly byId: ReadonlyMap<number, FieldFacts>
  /** By JSON name and by original name. */
  readonly byName: ReadonlyMap<string, FieldFacts>
}

const cache = new WeakMap<protobuf.Type, MessageFacts>()

/** The facts of `type` (cached on the type object). */
export function messageFacts (type: protobuf.Type): MessageFacts {
  let facts = cache.get(type)
  if (facts === undefined) {
    facts = buildFacts(type)
    cache.set(type, facts)
  }
  return facts
}

/** proto3 JSON name: underscores dropped, the letter after each one upper-cased. */
export function lowerCamel (name: string): string {
  return name.replace(/_+([a-z0-9])?/g, (_, next: string | undefined) => next === undefined ? '' : next.toUpperCase())
}

function buildFacts (type: protobuf.Type): MessageFacts {
  const fields = type.fieldsArray.map(fieldFacts)
  const byName = new Map<string, FieldFacts>()
  for (const field of fields) {
    byName.set(field.jsonName, field)
    byName.set(field.name, field)
  }
  return { type, fullName: type.fullName.slice(1), fields, byId: new Map(fields.map((f) => [f.id, f])), byName }
}

function fieldFacts (field: protobuf.Field): FieldFacts {
  field.resolve()
  const entry = mapEntryOf(field)
  const value = entry === undefined ? valueKind(field.resolvedType, field.type) : valueKind(entry.value.resolvedType, entry.value.type)
  const isMap = field instanceof protobuf.MapField || entry !== undefined
  const wireType = 'scalar' in value ? SCALAR_WIRE[value.scalar] : 'enumType' in value ? WireType.VARINT : WireType.LEN
  const jsonName = (field.options?.json_name as string | undefined) ?? lowerCamel(field.name)
  const repeated = field.repeated || isMap
  return {
    name: field.name,
    jsonName,
    jsonKey: JSON.stringify(jsonName) + ':',
    id: field.id,
    value,
    wireType,
    repeated,
    packed: field.repeated && !isMap && wireType !== WireType.LEN && field.packed,
    mapKey: entry !== undefined ? entry.key.type as ScalarKind : isMap ? (field as protobuf.MapField).keyType as ScalarKind : undefined,
    oneof: field.partOf?.name,
    hasPresence: !repeated && ('message' in value || field.partOf !== null)
  }
}

/**
 * Definitions read from a FileDescriptorSet spell a map as a repeated `...Entry` message marked
 * `map_entry` (protobufjs keeps it that way); its key and value fields are numbers 1 and 2.
 */
function mapEntryOf (field: protobuf.Field): { key: protobuf.Field, value: protobuf.Field } | undefined {
  const type = field.resolvedType
  if (!field.repeated || !(type instanceof protobuf.Type) || type.options?.map_entry !== true) return undefined
  const key = type.fieldsById[1]
  const value = type.fieldsById[2]
  if (key === undefined || value === undefined) return undefined
  value.resolve()
  return { key, value }
}

function valueKind (resolved: protobuf.Type | protobuf.Enum | null, typeName: string): ValueKind {
  if (resolved instanceof protobuf.Type) return { message: resolved }
  if (resolved instanceof protobuf.Enum) return { enumType: resolved }
  return { scalar: typeName as ScalarKind }
}
