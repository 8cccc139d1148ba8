/**
 * proto3 JSON forms of the well-known types → protobuf: Timestamp (RFC 3339), Duration ("1.5s"),
 * the wrappers (the bare value), Struct / Value / ListValue (any JSON), FieldMask ("a.b,cD") and
 * Any ({"@type": ..., fields} or {"@type": ..., "value": ...} for well-known types).
 * Empty needs nothing special: it is `{}`.
 */
import protobuf from 'protobufjs'
import type { JsonValue } from '../../../codec/json/index.js'
import { MappingError } from './mapping-error.js'
import { messageFacts, type MessageFacts } from './message-facts.js'
import { encodeMessage, encodeSingle, pointerStep } from './json-to-proto.js'
import { writeScalar, writeTag } from './wire-write.js'

type Encoder = (facts: MessageFacts, json: JsonValue, writer: protobuf.Writer, path: string) => void

// RFC 3339 with a required offset; years 0001..9999 as proto3 JSON allows.
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/
const DURATION = /^(-)?(\d{1,12})(?:\.(\d{1,9}))?s$/
// ±10,000 years, the range of google.protobuf.Duration.
const MAX_DURATION_SECONDS = 315_576_000_000n
const MIN_TIMESTAMP_SECONDS = -62_135_596_800
const MAX_TIMESTAMP_SECONDS = 253_402_300_799

function requireString (json: JsonValue, path: string, what: string): string {
  if (json.kind !== 'string') throw new MappingError(path, `expected ${what} as a string, found ${json.kind}`)
  return json.string()
}

function writeSecondsNanos (writer: protobuf.Writer, seconds: bigint, nanos: number): void {
  if (seconds !== 0n) {
    writeTag(writer, 1, 0)
    writeScalar(writer, 'int64', seconds)
  }
  if (nanos !== 0) {
    writeTag(writer, 2, 0)
    writer.int32(nanos)
  }
}

const timestamp: Encoder = (_facts, json, writer, path) => {
  const text = requireString(json, path, 'an RFC 3339 timestamp')
  const m = TIMESTAMP.exec(text)
  if (m === null) throw new MappingError(path, `'${text.slice(0, 40)}' is not an RFC 3339 timestamp (e.g. 2024-05-01T12:30:00.5Z)`)
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number]
  const date = new Date(0)
  date.setUTCFullYear(year, month - 1, day)
  date.setUTCHours(hour, minute, second)
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw new MappingError(path, `'${text.slice(0, 40)}' is not a valid date and time`)
  }
  const offsetSeconds = m[8] !== undefined ? 0 : (m[9] === '-' ? -1 : 1) * (Number(m[10]) * 3600 + Number(m[11]) * 60)
  const seconds = Math.floor(date.getTime() / 1000) - offsetSeconds
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS) throw new MappingError(path, 'timestamp out of range (0001-01-01 to 9999-12-31)')
  writeSecondsNanos(writer, BigInt(seconds), Number((m[7] ?? '').padEnd(9, '0')))
}

const duration: Encoder = (_facts, json, writer, path) => {
  const text = requireString(json, path, 'a duration')
  const m = DURATION.exec(text)
  if (m === null) throw new MappingError(path, `'${text.slice(0, 40)}' is not a duration (seconds with an 's' suffix, e.g. "1.5s")`)
  const sign = m[1] === '-' ? -1 : 1
  const seconds = BigInt(m[2] as string)
  if (seconds > MAX_DURATION_SECONDS) throw new MappingError(path, 'duration out of range (±315576000000s)')
  writeSecondsNanos(writer, BigInt(sign) * seconds, sign * Number((m[3] ?? '').padEnd(9, '0')))
}

const wrapper: Encoder = (facts, json, writer, path) => {
  encodeSingle(facts.byId.get(1) as NonNullable<ReturnType<MessageFacts['byId']['get']>>, json, writer, path, false)
}

function nested (writer: protobuf.Writer, id: number, write: () => void): void {
  writeTag(writer, id, 2)
  writer.fork()
  write()
  writer.ldelim()
}

function structFields (json: JsonValue, writer: protobuf.Writer, path: string): void {
  if (json.kind !== 'object') throw new MappingError(path, `expected an object (google.protobuf.Struct), found ${json.kind}`)
  for (const [key, entry] of json.entries()) {
    nested(writer, 1, () => {
      writeTag(writer, 1, 2)
      writer.string(key)
      nested(writer, 2, () => valueFields(entry, writer, pointerStep(path, key)))
    })
  }
}

function listFields (json: JsonValue, writer: protobuf.Writer, path: string): void {
  if (json.kind !== 'array') throw new MappingError(path, `expected a list (google.protobuf.ListValue), found ${json.kind}`)
  json.elements().forEach((element, i) => nested(writer, 1, () => valueFields(element, writer, `${path}/${i}`)))
}

/** google.protobuf.Value: one member of its `kind` oneof, chosen by the JSON type. */
function valueFields (json: JsonValue, writer: protobuf.Writer, path: string): void {
  switch (json.kind) {
    case 'null': writeTag(writer, 1, 0); writer.int32(0); return
    case 'number': {
      const number = json.number().toNumber()
      if (!Number.isFinite(number)) throw new MappingError(path, 'number out of range for google.protobuf.Value')
      writeTag(writer, 2, 1)
      writer.double(number)
      return
    }
    case 'string': writeTag(writer, 3, 2); writer.string(json.string()); return
    case 'boolean': writeTag(writer, 4, 0); writer.bool(json.boolean()); return
    case 'object': nested(writer, 5, () => structFields(json, writer, path)); return
    case 'array': nested(writer, 6, () => listFields(json, writer, path))
  }
}

const fieldMask: Encoder = (_facts, json, writer, path) => {
  const text = requireString(json, path, 'a field mask')
  if (text === '') return
  for (const item of text.split(',')) {
    if (!/^[a-z][A-Za-z0-9]*(?:\.[a-z][A-Za-z0-9]*)*$/.test(item)) throw new MappingError(path, `'${item.slice(0, 64)}' is not a lowerCamel field path`)
    writeTag(writer, 1, 2)
    writer.string(item.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase()))
  }
}

const any: Encoder = (facts, json, writer, path) => {
  if (json.kind !== 'object') throw new MappingError(path, `expected an object (google.protobuf.Any), found ${json.kind}`)
  if (json.length === 0) return
  const typeValue = json.get('@type')
  if (typeValue === undefined) throw new MappingError(`${path}/@type`, 'an Any needs "@type"')
  const url = requireString(typeValue, `${path}/@type`, 'a type URL')
  const inner = facts.type.root.lookup(url.slice(url.lastIndexOf('/') + 1))
  if (!(inner instanceof protobuf.Type)) throw new MappingError(`${path}/@type`, `'${url.slice(0, 128)}' names no message type of this service's definitions`)
  const innerFacts = messageFacts(inner)
  const body = protobuf.Writer.create()
  if (wellKnownEncoder(innerFacts.fullName) !== undefined) {
    const value = json.get('value')
    if (value === undefined || json.length !== 2) throw new MappingError(path, 'an Any of a well-known type has exactly "@type" and "value"')
    encodeMessage(innerFacts, value, undefined, body, `${path}/value`)
  } else {
    encodeMessage(innerFacts, json, undefined, body, path, true)
  }
  writeTag(writer, 1, 2)
  writer.string(url)
  writeTag(writer, 2, 2)
  writer.bytes(body.finish())
}

const ENCODERS: ReadonlyMap<string, Encoder> = new Map<string, Encoder>([
  ['google.protobuf.Timestamp', timestamp],
  ['google.protobuf.Duration', duration],
  ['google.protobuf.Struct', (_f, json, writer, path) => structFields(json, writer, path)],
  ['google.protobuf.Value', (_f, json, writer, path) => valueFields(json, writer, path)],
  ['google.protobuf.ListValue', (_f, json, writer, path) => listFields(json, writer, path)],
  ['google.protobuf.FieldMask', fieldMask],
  ['google.protobuf.Any', any],
  ...['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((name) => [`google.protobuf.${name}Value`, wrapper] as [string, Encoder])
])

/** The JSON encoder of a well-known type, or undefined for ordinary messages. */
export function wellKnownEncoder (fullName: string): Encoder | undefined {
  return ENCODERS.get(fullName)
}
