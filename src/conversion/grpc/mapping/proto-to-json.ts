/**
 * protobuf bytes → proto3 JSON text: lowerCamel (or json_name) field names in declaration order,
 * fields at their default omitted unless they have presence, 64-bit integers as strings, enums by
 * name, bytes as base64, floats as "NaN"/"Infinity" where needed, well-known types in their own
 * JSON forms. Throws WireError for bytes that are not the message.
 */
import type protobuf from 'protobufjs'
import { messageFacts, type FieldFacts, type MessageFacts, type ValueKind } from './message-facts.js'
import { defaultOf, readFields, type FieldContent, type WireValue } from './wire-read.js'
import { wellKnownDecoder } from './well-known-to-json.js'

/** The JSON text of a `type` message encoded in `bytes`. */
export function messageToJson (type: protobuf.Type, bytes: Uint8Array): string {
  return renderMessage(messageFacts(type), bytes)
}

/** The JSON of one field of the message only (a rule's `response_body`); its default when absent. */
export function fieldToJson (type: protobuf.Type, bytes: Uint8Array, fieldName: string): string {
  const facts = messageFacts(type)
  const field = facts.byName.get(fieldName)
  if (field === undefined) throw new Error(`no field '${fieldName}' in ${facts.fullName}`)
  const content = readFields(facts, bytes).get(field)
  if (content !== undefined) return renderContent(field, content)
  if (field.mapKey !== undefined) return '{}'
  if (field.repeated) return '[]'
  return renderValue(field.value, defaultOf(field.value))
}

/** Renders the message in `bytes`; used recursively for nested messages. */
export function renderMessage (facts: MessageFacts, bytes: Uint8Array): string {
  const special = wellKnownDecoder(facts.fullName)
  const content = readFields(facts, bytes)
  if (special !== undefined) return special(facts, content)
  return '{' + renderMembers(facts, content) + '}'
}

/** The members of a message object without braces ('' when none). */
function renderMembers (facts: MessageFacts, content: Map<FieldFacts, FieldContent>): string {
  let out = ''
  for (const field of facts.fields) {
    const value = content.get(field)
    if (value === undefined || isOmitted(field, value)) continue
    out += (out === '' ? '' : ',') + field.jsonKey + renderContent(field, value)
  }
  return out
}

function isOmitted (field: FieldFacts, content: FieldContent): boolean {
  switch (content.kind) {
    case 'list': return content.values.length === 0
    case 'map': return content.entries.size === 0
    case 'message': return false
    case 'single': return !field.hasPresence && isDefaultWire(content.value)
  }
}

function isDefaultWire (value: WireValue): boolean {
  if (Buffer.isBuffer(value)) return value.length === 0
  if (typeof value === 'number') return value === 0 && !Object.is(value, -0)
  return value === '' || value === '0' || value === false
}

/** The JSON of what was read for `field`. */
export function renderContent (field: FieldFacts, content: FieldContent): string {
  switch (content.kind) {
    case 'single': return renderValue(field.value, content.value)
    case 'message': return renderValue(field.value, content.parts.length === 1 ? content.parts[0] as Buffer : Buffer.concat(content.parts))
    case 'list': return '[' + content.values.map((v) => renderValue(field.value, v)).join(',') + ']'
    case 'map': {
      const members: string[] = []
      for (const [key, value] of content.entries) members.push(JSON.stringify(key) + ':' + renderValue(field.value, value))
      return '{' + members.join(',') + '}'
    }
  }
}

/** The JSON of one decoded value of `kind`. */
export function renderValue (kind: ValueKind, value: WireValue): string {
  if ('message' in kind) return renderMessage(messageFacts(kind.message), value as Buffer)
  if ('enumType' in kind) {
    if (kind.enumType.fullName === '.google.protobuf.NullValue') return 'null'
    const name = kind.enumType.valuesById[value as number]
    return name === undefined ? String(value) : JSON.stringify(name)
  }
  switch (kind.scalar) {
    case 'double': return floatJson(value as number)
    case 'float': return floatJson(shortestFloat32(value as number))
    case 'bytes': return '"' + (value as Buffer).toString('base64') + '"'
    case 'string': case 'int64': case 'uint64': case 'sint64': case 'fixed64': case 'sfixed64': return JSON.stringify(value)
    default: return String(value)
  }
}

function floatJson (value: number): string {
  if (Number.isNaN(value)) return '"NaN"'
  if (value === Infinity) return '"Infinity"'
  if (value === -Infinity) return '"-Infinity"'
  return String(value)
}

/** The shortest decimal that reads back as the same 32-bit float (0.1f prints as 0.1, not 0.10000000149011612). */
function shortestFloat32 (value: number): number {
  if (!Number.isFinite(value)) return value
  for (let digits = 1; digits <= 9; digits++) {
    const candidate = Number(value.toPrecision(digits))
    if (Math.fround(candidate) === value) return candidate
  }
  return value
}
