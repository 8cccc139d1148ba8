/**
 * Exact reading of decimal number text (JSON numbers, or numbers given as strings) as integers:
 * "9007199254740993", "1e3" and "12.50e1" are integers; "1.5" is not. No step goes through a
 * double, so 64-bit values keep every digit.
 */
const DECIMAL = /^(-?)(0|[1-9]\d*)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/
// The common case, plain digits: read directly.
const PLAIN_INTEGER = /^-?(?:0|[1-9]\d*)$/

// 64-bit values have at most 20 digits; a larger exponent cannot give a representable integer.
const MAX_EXPONENT = 40

/** The integer `text` denotes, or undefined when it is not an integer (or not a decimal number). */
export function exactInteger (text: string): bigint | undefined {
  if (PLAIN_INTEGER.test(text)) return BigInt(text)
  const parts = DECIMAL.exec(text)
  if (parts === null) return undefined
  const [, sign, whole = '', fraction = '', exponentText = '0'] = parts
  let digits = whole + fraction
  let exponent = Number(exponentText) - fraction.length
  if (exponent < 0) {
    const dropped = digits.slice(exponent)
    if (/[1-9]/.test(dropped)) return undefined
    digits = digits.slice(0, exponent)
    exponent = 0
  }
  if (/^0*$/.test(digits)) return 0n
  if (exponent > MAX_EXPONENT) return undefined
  const magnitude = BigInt(digits) * 10n ** BigInt(exponent)
  return sign === '-' ? -magnitude : magnitude
}

/** True when `text` is a JSON-style decimal number. */
export function isDecimal (text: string): boolean {
  return DECIMAL.test(text)
}
