/**
 * proto3 JSON → protobuf scalar values: integers as JSON numbers or strings (exact, range
 * checked), floats also as "NaN"/"Infinity"/"-Infinity", bytes as standard or URL-safe base64,
 * enums by name or number. Every refusal is a MappingError at the value's path.
 */
import type protobuf from 'protobufjs'
import type { JsonValue } from '../../../codec/json/index.js'
import { exactInteger, isDecimal } from './exact-number.js'
import { MappingError } from './mapping-error.js'
import type { ScalarKind } from './message-facts.js'

/** A converted scalar: numbers for 32-bit kinds and floats, bigint for 64-bit kinds. */
export type ScalarValue = number | bigint | boolean | string | Buffer

const INT_RANGES: Readonly<Partial<Record<ScalarKind, readonly [bigint, bigint]>>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  sint32: [-(2n ** 31n), 2n ** 31n - 1n],
  sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  sint64: [-(2n ** 63n), 2n ** 63n - 1n],
  sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  fixed64: [0n, 2n ** 64n - 1n]
}

const FLOAT_MAX = 3.4028234663852886e38
const BASE64 = /^(?:[A-Za-z0-9+/\-_]{4})*(?:[A-Za-z0-9+/\-_]{2}(?:==)?|[A-Za-z0-9+/\-_]{3}=?)?$/

/** The number text of a JSON number, or of a JSON string holding one (proto3 accepts both). */
function numberText (value: JsonValue): string | undefined {
  if (value.kind === 'number') return value.number().raw
  if (value.kind === 'string') return value.string()
  return undefined
}

/** Converts `value` for a scalar field of `kind`. */
export function toScalar (kind: ScalarKind, value: JsonValue, path: string): ScalarValue {
  switch (kind) {
    case 'string':
      if (value.kind !== 'string') throw new MappingError(path, `expected a string, found ${value.kind}`)
      return value.string()
    case 'bool':
      if (value.kind === 'boolean') return value.boolean()
      // Path and query parameters arrive as text.
      if (value.kind === 'string' && (value.string() === 'true' || value.string() === 'false')) return value.string() === 'true'
      throw new MappingError(path, `expected true or false, found ${value.kind}`)
    case 'bytes':
      return toBytes(value, path)
    case 'double':
    case 'float':
      return toFloat(kind, value, path)
    default:
      return toInteger(kind, value, path)
  }
}

// Up to 9 digits: within every 32-bit range's magnitude, exact as a double.
const SHORT_INTEGER = /^-?(?:0|[1-9]\d{0,8})$/

function toInteger (kind: ScalarKind, value: JsonValue, path: string): number | bigint {
  const text = numberText(value)
  if (text === undefined) throw new MappingError(path, `expected ${kind} as a JSON number or a string of digits, found ${value.kind}`)
  if (!kind.endsWith('64') && SHORT_INTEGER.test(text)) {
    const number = Number(text)
    if (number >= 0 || kind === 'int32' || kind === 'sint32' || kind === 'sfixed32') return number
  }
  const integer = exactInteger(text)
  if (integer === undefined) throw new MappingError(path, `expected ${kind}, found ${JSON.stringify(text.slice(0, 40))} (not an integer)`)
  const [min, max] = INT_RANGES[kind] as readonly [bigint, bigint]
  if (integer < min || integer > max) throw new MappingError(path, `${text} is out of range for ${kind} (${min}..${max})`)
  return kind.endsWith('64') ? integer : Number(integer)
}

function toFloat (kind: 'double' | 'float', value: JsonValue, path: string): number {
  const text = numberText(value)
  if (text === undefined) throw new MappingError(path, `expected ${kind} as a JSON number or string, found ${value.kind}`)
  if (value.kind === 'string') {
    if (text === 'NaN') return NaN
    if (text === 'Infinity') return Infinity
    if (text === '-Infinity') return -Infinity
    if (!isDecimal(text)) throw new MappingError(path, `expected ${kind}, found ${JSON.stringify(text.slice(0, 40))}`)
  }
  const number = Number(text)
  if (!Number.isFinite(number) || (kind === 'float' && Math.abs(number) > FLOAT_MAX)) throw new MappingError(path, `${text.slice(0, 40)} is out of range for ${kind}`)
  return number
}

function toBytes (value: JsonValue, path: string): Buffer {
  if (value.kind !== 'string') throw new MappingError(path, `expected base64 text, found ${value.kind}`)
  const text = value.string()
  if (!BASE64.test(text)) throw new MappingError(path, 'expected standard or URL-safe base64 text')
  return Buffer.from(text, text.includes('-') || text.includes('_') ? 'base64url' : 'base64')
}

/** An enum value by name or number (unknown numbers are kept, as proto3 enums are open). */
export function toEnum (enumType: protobuf.Enum, value: JsonValue, path: string): number {
  if (value.kind === 'string') {
    const number = enumType.values[value.string()]
    if (number !== undefined) return number
    throw new MappingError(path, `'${value.string().slice(0, 64)}' is not a value of enum ${enumType.fullName.slice(1)}`)
  }
  if (value.kind === 'number') return toInteger('int32', value, path) as number
  throw new MappingError(path, `expected a name or number of enum ${enumType.fullName.slice(1)}, found ${value.kind}`)
}

/** True for the proto3 default of a scalar (not written for fields without presence). */
export function isDefaultScalar (value: ScalarValue): boolean {
  if (typeof value === 'string') return value === ''
  if (Buffer.isBuffer(value)) return value.length === 0
  if (typeof value === 'number') return value === 0 && !Object.is(value, -0)
  return value === 0n || value === false
}
