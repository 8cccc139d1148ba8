/**
 * protobuf → proto3 JSON forms of the well-known types: Timestamp as RFC 3339 in UTC ("Z", 0, 3,
 * 6 or 9 fraction digits), Duration as "1.500s", wrappers as their bare value, Struct / Value /
 * ListValue as plain JSON, FieldMask as "a.b,cD", Any with "@type". Empty is an ordinary `{}`.
 */
import protobuf from 'protobufjs'
import { lowerCamel, messageFacts, type FieldFacts, type MessageFacts } from './message-facts.js'
import { defaultOf, WireError, type FieldContent, type WireValue } from './wire-read.js'
import { renderContent, renderMessage, renderValue } from './proto-to-json.js'

type Decoder = (facts: MessageFacts, content: Map<FieldFacts, FieldContent>) => string

function single (facts: MessageFacts, content: Map<FieldFacts, FieldContent>, id: number): WireValue {
  const field = facts.byId.get(id) as FieldFacts
  const found = content.get(field)
  if (found?.kind === 'single') return found.value
  if (found?.kind === 'message') return Buffer.concat(found.parts)
  return defaultOf(field.value)
}

/** 0, 3, 6 or 9 fraction digits, as the proto3 JSON mapping prints them. */
function fraction (nanos: number): string {
  if (nanos === 0) return ''
  const digits = String(nanos).padStart(9, '0')
  if (digits.endsWith('000000')) return '.' + digits.slice(0, 3)
  if (digits.endsWith('000')) return '.' + digits.slice(0, 6)
  return '.' + digits
}

// 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z, the range proto3 JSON can print.
const MIN_TIMESTAMP_SECONDS = -62_135_596_800
const MAX_TIMESTAMP_SECONDS = 253_402_300_799

const timestamp: Decoder = (facts, content) => {
  const seconds = Number(single(facts, content, 1))
  const nanos = single(facts, content, 2) as number
  if (seconds < MIN_TIMESTAMP_SECONDS || seconds > MAX_TIMESTAMP_SECONDS || nanos < 0 || nanos > 999_999_999) throw new WireError('google.protobuf.Timestamp out of range')
  const date = new Date(seconds * 1000)
  return `"${date.toISOString().slice(0, 19)}${fraction(nanos)}Z"`
}

const duration: Decoder = (facts, content) => {
  const seconds = BigInt(single(facts, content, 1) as string)
  const nanos = single(facts, content, 2) as number
  const negative = seconds < 0n || nanos < 0
  const whole = seconds < 0n ? -seconds : seconds
  return `"${negative ? '-' : ''}${whole}${fraction(Math.abs(nanos))}s"`
}

const wrapper: Decoder = (facts, content) => {
  const field = facts.byId.get(1) as FieldFacts
  const found = content.get(field)
  return found === undefined ? renderValue(field.value, defaultOf(field.value)) : renderContent(field, found)
}

const struct: Decoder = (facts, content) => {
  const field = facts.byId.get(1) as FieldFacts
  const found = content.get(field)
  return found === undefined ? '{}' : renderContent(field, found)
}

const value: Decoder = (facts, content) => {
  // The `kind` oneof: the last member on the wire wins, as for any oneof.
  let chosen: [FieldFacts, FieldContent] | undefined
  for (const entry of content) chosen = entry
  // A Value with no kind set is not valid protobuf JSON input; it reads most naturally as null.
  if (chosen === undefined) return 'null'
  return renderContent(chosen[0], chosen[1])
}

const listValue: Decoder = (facts, content) => {
  const field = facts.byId.get(1) as FieldFacts
  const found = content.get(field)
  return found === undefined ? '[]' : renderContent(field, found)
}

const fieldMask: Decoder = (facts, content) => {
  const found = content.get(facts.byId.get(1) as FieldFacts)
  const paths = found?.kind === 'list' ? found.values as string[] : []
  return JSON.stringify(paths.map((path) => path.split('.').map(lowerCamel).join('.')).join(','))
}

const any: Decoder = (facts, content) => {
  const url = single(facts, content, 1) as string
  const bytes = single(facts, content, 2) as Buffer
  if (url === '') return '{}'
  const inner = facts.type.root.lookup(url.slice(url.lastIndexOf('/') + 1))
  if (!(inner instanceof protobuf.Type)) throw new WireError(`google.protobuf.Any of unknown type '${url.slice(0, 128)}'`)
  const innerFacts = messageFacts(inner)
  const typeMember = '"@type":' + JSON.stringify(url)
  if (wellKnownDecoder(innerFacts.fullName) !== undefined) return `{${typeMember},"value":${renderMessage(innerFacts, bytes)}}`
  const members = renderMembersOf(innerFacts, bytes)
  return `{${typeMember}${members === '' ? '' : ',' + members}}`
}

function renderMembersOf (facts: MessageFacts, bytes: Buffer): string {
  const rendered = renderMessage(facts, bytes)
  return rendered.slice(1, -1)
}

const DECODERS: ReadonlyMap<string, Decoder> = new Map<string, Decoder>([
  ['google.protobuf.Timestamp', timestamp],
  ['google.protobuf.Duration', duration],
  ['google.protobuf.Struct', struct],
  ['google.protobuf.Value', value],
  ['google.protobuf.ListValue', listValue],
  ['google.protobuf.FieldMask', fieldMask],
  ['google.protobuf.Any', any],
  ...['Double', 'Float', 'Int64', 'UInt64', 'Int32', 'UInt32', 'Bool', 'String', 'Bytes'].map((name) => [`google.protobuf.${name}Value`, wrapper] as [string, Decoder])
])

/** The JSON decoder of a well-known type, or undefined for ordinary messages. */
export function wellKnownDecoder (fullName: string): Decoder | undefined {
  return DECODERS.get(fullName)
}

