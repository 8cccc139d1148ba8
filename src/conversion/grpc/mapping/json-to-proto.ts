/**
 * proto3 JSON (a lossless document, so 64-bit integers keep every digit) → protobuf bytes of a
 * message. Field names may be the JSON (lowerCamel) or the original names; unknown fields, wrong
 * types, out-of-range numbers and two members of one oneof are refused with the value's path.
 * Path and query parameters come as a tree of text values that take precedence over the body.
 */
import protobuf from 'protobufjs'
import { scan, type JsonValue } from '../../../codec/json/index.js'
import { MappingError } from './mapping-error.js'
import { messageFacts, type FieldFacts, type MessageFacts } from './message-facts.js'
import { isDefaultScalar, toEnum, toScalar } from './json-scalars.js'
import { writeScalar, writeTag } from './wire-write.js'
import { wellKnownEncoder } from './well-known-to-proto.js'

/** One parameter value and how to name it in an error (`query parameter 'a.b'`). */
export interface ParamValue {
  readonly value: JsonValue
  readonly label: string
}

/** Path and query parameters by field path: leaves are values, children are sub-messages. */
export interface ParamTree {
  readonly leaves: Map<string, ParamValue[]>
  readonly children: Map<string, ParamTree>
}

/** Encodes `json` (an object, or a well-known type's JSON form) merged with `params` as a `type` message. */
export function encodeRequest (type: protobuf.Type, json: JsonValue | undefined, params: ParamTree | undefined): Uint8Array {
  const writer = protobuf.Writer.create()
  encodeMessage(messageFacts(type), json, params, writer, '')
  return writer.finish()
}

/** Writes the fields of one message (no tag, no length) to `writer`. */
export function encodeMessage (facts: MessageFacts, json: JsonValue | undefined, params: ParamTree | undefined, writer: protobuf.Writer, path: string, inAny = false): void {
  const special = wellKnownEncoder(facts.fullName)
  if (special !== undefined && params === undefined) {
    if (json !== undefined) special(facts, json, writer, path)
    return
  }
  if (json !== undefined && json.kind !== 'object' && !json.isNull) throw new MappingError(path, `expected an object (${facts.fullName}), found ${json.kind}`)
  // The maps and sets below are made only when a message needs them: most have no parameters,
  // no oneof and no field named two ways.
  let fromParams: Map<FieldFacts, ParamValue[] | ParamTree> | undefined
  if (params !== undefined) {
    fromParams = new Map()
    for (const [name, values] of params.leaves) fromParams.set(paramField(facts, name, values[0]?.label), values)
    for (const [name, tree] of params.children) fromParams.set(paramField(facts, name, firstLabel(tree)), tree)
  }
  let bodyParts: Map<FieldFacts, JsonValue> | undefined
  let namedTwice: Set<FieldFacts> | undefined
  let oneofs: Map<string, string> | undefined
  if (json !== undefined && !json.isNull) {
    for (const [key, value] of json.entries()) {
      if (inAny && key === '@type') continue
      const at = pointerStep(path, key)
      const field = facts.byName.get(key)
      if (field === undefined) throw new MappingError(at, `unknown field of ${facts.fullName}`)
      // The codec refuses repeated keys, so a field comes twice only under both of its names.
      if (field.jsonName !== field.name) {
        namedTwice ??= new Set()
        if (namedTwice.has(field)) throw new MappingError(at, `field '${field.name}' is given twice (by its JSON and its original name)`)
        namedTwice.add(field)
      }
      if (value.isNull && !acceptsNull(field)) continue
      if (field.oneof !== undefined) {
        oneofs ??= new Map()
        const other = oneofs.get(field.oneof)
        if (other !== undefined) throw new MappingError(at, `oneof '${field.oneof}' already has '${other}'`)
        oneofs.set(field.oneof, field.name)
      }
      const param = fromParams?.get(field)
      if (param === undefined) encodeField(field, value, writer, at)
      else if (!Array.isArray(param)) (bodyParts ??= new Map()).set(field, value)
    }
  }
  for (const [field, param] of fromParams ?? []) {
    if (Array.isArray(param)) encodeParamValues(field, param, writer)
    else encodeSubMessage(field, bodyParts?.get(field), param, writer, `${path}/${field.name}`)
  }
}

/** `path` extended by one member name, as a JSON pointer (RFC 6901 escapes only when needed). */
export function pointerStep (path: string, key: string): string {
  if (!key.includes('~') && !key.includes('/')) return path + '/' + key
  return path + '/' + key.replaceAll('~', '~0').replaceAll('/', '~1')
}

function firstLabel (tree: ParamTree): string | undefined {
  for (const values of tree.leaves.values()) return values[0]?.label
  for (const child of tree.children.values()) return firstLabel(child)
  return undefined
}

function paramField (facts: MessageFacts, name: string, label: string | undefined): FieldFacts {
  const field = facts.byName.get(name)
  if (field === undefined) throw new MappingError(label ?? name, `'${name}' is not a field of ${facts.fullName}`)
  return field
}

function encodeParamValues (field: FieldFacts, values: ParamValue[], writer: protobuf.Writer): void {
  if (field.mapKey !== undefined) throw new MappingError(values[0]?.label ?? field.name, 'a map field cannot be set from a path or query parameter')
  if (field.repeated) {
    for (const { value, label } of values) encodeSingle(field, value, writer, label, true)
    return
  }
  const last = values[values.length - 1] as ParamValue
  encodeSingle(field, last.value, writer, last.label, false)
}

function encodeSubMessage (field: FieldFacts, body: JsonValue | undefined, params: ParamTree, writer: protobuf.Writer, path: string): void {
  if (!('message' in field.value) || field.repeated) throw new MappingError(firstLabel(params) ?? path, `'${field.name}' is not a singular message field`)
  writeTag(writer, field.id, field.wireType)
  writer.fork()
  encodeMessage(messageFacts(field.value.message), body, params, writer, path)
  writer.ldelim()
}

/** Null means "default" except where null is a value: google.protobuf.Value and NullValue. */
function acceptsNull (field: FieldFacts): boolean {
  if (field.repeated) return false
  if ('message' in field.value) return field.value.message.fullName === '.google.protobuf.Value'
  return 'enumType' in field.value && field.value.enumType.fullName === '.google.protobuf.NullValue'
}

/** Encodes one field of the body: a map, a list or a single value. */
export function encodeField (field: FieldFacts, value: JsonValue, writer: protobuf.Writer, path: string): void {
  if (field.mapKey !== undefined) return encodeMap(field, value, writer, path)
  if (!field.repeated) return encodeSingle(field, value, writer, path, false)
  if (value.kind !== 'array') throw new MappingError(path, `expected a list, found ${value.kind}`)
  const elements = value.elements()
  if (field.packed && elements.length > 0) {
    writeTag(writer, field.id, 2)
    writer.fork()
    elements.forEach((element, i) => writeBare(field, element, writer, `${path}/${i}`))
    writer.ldelim()
    return
  }
  elements.forEach((element, i) => {
    if (element.isNull) throw new MappingError(`${path}/${i}`, 'null is not allowed in a list')
    encodeSingle(field, element, writer, `${path}/${i}`, true)
  })
}

function encodeMap (field: FieldFacts, value: JsonValue, writer: protobuf.Writer, path: string): void {
  if (value.kind !== 'object') throw new MappingError(path, `expected an object (map), found ${value.kind}`)
  const valueSlot = mapValueSlot(field)
  for (const [key, entry] of value.entries()) {
    const at = pointerStep(path, key)
    const keyKind = field.mapKey as NonNullable<FieldFacts['mapKey']>
    const keyValue = toScalar(keyKind, textValue(key), at)
    writeTag(writer, field.id, 2)
    writer.fork()
    writeTag(writer, 1, wireOfKey(keyKind))
    writeScalar(writer, keyKind, keyValue)
    if (entry.isNull && !acceptsNull(valueSlot)) throw new MappingError(at, 'null is not allowed as a map value')
    encodeSingle(valueSlot, entry, writer, at, true)
    writer.ldelim()
  }
}

function wireOfKey (kind: string): number {
  if (kind === 'string') return 2
  if (kind === 'fixed64' || kind === 'sfixed64') return 1
  if (kind === 'fixed32' || kind === 'sfixed32') return 5
  return 0
}

const valueSlots = new WeakMap<FieldFacts, FieldFacts>()

/** The value of a map entry as a field of its own (number 2, always written). */
function mapValueSlot (field: FieldFacts): FieldFacts {
  let slot = valueSlots.get(field)
  if (slot === undefined) {
    slot = { ...field, id: 2, repeated: false, packed: false, mapKey: undefined, oneof: undefined, hasPresence: true }
    valueSlots.set(field, slot)
  }
  return slot
}

/** A JSON string value holding `text` (map keys and parameters are text). */
export function textValue (text: string): JsonValue {
  return scan(JSON.stringify(text)).root
}

/** Writes one value with its tag; `always` writes defaults too (list elements, presence). */
export function encodeSingle (field: FieldFacts, value: JsonValue, writer: protobuf.Writer, path: string, always: boolean): void {
  const kind = field.value
  if ('message' in kind) {
    writeTag(writer, field.id, 2)
    writer.fork()
    encodeMessage(messageFacts(kind.message), value, undefined, writer, path)
    writer.ldelim()
    return
  }
  if ('enumType' in kind) {
    const number = value.isNull ? 0 : toEnum(kind.enumType, value, path)
    if (number === 0 && !always && !field.hasPresence) return
    writeTag(writer, field.id, 0)
    writer.int32(number)
    return
  }
  const scalar = toScalar(kind.scalar, value, path)
  if (!always && !field.hasPresence && isDefaultScalar(scalar)) return
  writeTag(writer, field.id, field.wireType)
  writeScalar(writer, kind.scalar, scalar)
}

/** One element of a packed list: the value without a tag. */
function writeBare (field: FieldFacts, value: JsonValue, writer: protobuf.Writer, path: string): void {
  const kind = field.value
  if ('enumType' in kind) {
    writer.int32(toEnum(kind.enumType, value, path))
    return
  }
  if ('scalar' in kind) writeScalar(writer, kind.scalar, toScalar(kind.scalar, value, path))
}
