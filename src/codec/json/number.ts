/**
 * Numbers as exact text. Nothing is converted to a double unless `toNumber()` is called.
 */
import { usageError } from './errors.js'

const NUMBER_GRAMMAR = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/
const MAX_SAFE = 9007199254740991n

/** Splits a JSON number into sign, significant digits (no leading or trailing zeros) and exponent. */
function normalise (text: string): string {
  const negative = text.startsWith('-')
  const body = negative ? text.slice(1) : text
  const e = body.search(/[eE]/)
  const mantissa = e === -1 ? body : body.slice(0, e)
  let exponent = e === -1 ? 0 : Number(body.slice(e + 1))
  const dot = mantissa.indexOf('.')
  let digits = dot === -1 ? mantissa : mantissa.slice(0, dot) + mantissa.slice(dot + 1)
  if (dot !== -1) exponent -= mantissa.length - dot - 1
  const lead = digits.search(/[1-9]/)
  if (lead === -1) return negative ? '-0' : '0'
  digits = digits.slice(lead)
  const trimmed = digits.replace(/0+$/, '')
  exponent += digits.length - trimmed.length
  return `${negative ? '-' : ''}${trimmed}e${exponent}`
}

/**
 * A JSON number kept as the exact text of the input (`1.0`, `1E+2`, `-0` and
 * `123456789012345678901234567890` stay as written). It is also the lossless number type of
 * `toJS()` for numbers that no JS number or bigint can hold exactly, and may be given to edits,
 * which then write `raw` unchanged.
 */
export class JsonNumber {
  /** The number's text exactly as in the input. */
  readonly raw: string
  /** True when the text has neither fraction nor exponent (`12`, `-0`), so `toBigInt()` works. */
  readonly isInteger: boolean

  /** Wraps the text of a JSON number; throws `TG_JSON_BAD_VALUE` if it is not RFC 8259 number syntax. */
  constructor (raw: string) {
    if (!NUMBER_GRAMMAR.test(raw)) throw usageError('TG_JSON_BAD_VALUE', `not a JSON number: ${JSON.stringify(raw.slice(0, 40))}`)
    this.raw = raw
    this.isInteger = !/[.eE]/.test(raw)
  }

  /** True for an integer (by spelling) within ±(2^53 − 1), which a JS number holds exactly. */
  get isSafeInteger (): boolean {
    if (!this.isInteger) return false
    const digits = this.raw.startsWith('-') ? this.raw.length - 1 : this.raw.length
    if (digits < 16) return true
    if (digits > 16) return false
    const value = BigInt(this.raw)
    return value <= MAX_SAFE && value >= -MAX_SAFE
  }

  /** The exact integer. Throws `TG_JSON_NOT_INTEGER` when the text has a fraction or exponent. */
  toBigInt (): bigint {
    if (!this.isInteger) throw usageError('TG_JSON_NOT_INTEGER', `${this.raw} is not written as an integer`)
    return BigInt(this.raw)
  }

  /** The nearest double (may round; ±Infinity or 0 past the double range). Only when asked. */
  toNumber (): number {
    return Number(this.raw)
  }

  /**
   * True when `toNumber()` is exactly the value written: the double's shortest decimal form has
   * the same digits and exponent (so `0.1`, `1.0`, `1E+2` are exact; `1.000000000000000005`,
   * `1e400`, `1e-999` and unsafe integers are not).
   */
  get isExactNumber (): boolean {
    if (this.isInteger) return this.isSafeInteger
    const value = Number(this.raw)
    if (!Number.isFinite(value)) return false
    const written = normalise(this.raw)
    if (value === 0) return written === '0' || written === '-0'
    return normalise(String(value)) === written
  }

  /** The raw text. */
  toString (): string {
    return this.raw
  }
}
