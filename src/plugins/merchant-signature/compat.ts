// The request side of the JD/TOP compatibility schemes: which parameters were sent, and when.
import { formPairs } from './sign.js'

const DATETIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/

/**
 * A compatibility `timestamp` as epoch milliseconds: `yyyy-MM-dd HH:mm:ss` read at
 * `utcOffsetMinutes` (JD and TOP send GMT+8 wall-clock time), or plain digits as epoch
 * milliseconds (what some SDKs send). NaN when it is neither or names no real time.
 */
export function parseCompatTimestamp (text: string, utcOffsetMinutes: number): number {
  if (/^\d{10,16}$/.test(text)) return Number(text)
  const m = DATETIME.exec(text)
  if (m === null) return NaN
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number) as [number, number, number, number, number, number]
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return NaN
  const utc = Date.UTC(year, month - 1, day, hour, minute, second)
  // Date.UTC rolls 31 February over into March; a date that did not survive the round trip is not real.
  if (new Date(utc).getUTCDate() !== day) return NaN
  return utc - utcOffsetMinutes * 60_000
}

/** The parameters of a compatibility request by name, or the name that was sent twice. */
export type CompatParams =
  | { readonly ok: true, readonly params: ReadonlyMap<string, string> }
  | { readonly ok: false, readonly duplicate: string }

/**
 * The query parameters and, for a form body, the body's, decoded. JD and TOP SDKs send each name
 * once; a repeated name would make the signed value ambiguous, so it is reported, not guessed.
 */
export function collectCompatParams (query: string, formBody: string | undefined): CompatParams {
  const params = new Map<string, string>()
  for (const source of formBody === undefined ? [query] : [query, formBody]) {
    for (const [name, value] of formPairs(source)) {
      if (params.has(name)) return { ok: false, duplicate: name }
      params.set(name, value)
    }
  }
  return { ok: true, params }
}

/** True for `application/x-www-form-urlencoded` bodies, whose parameters are signed with the query's. */
export function isFormBody (contentType: string | undefined): boolean {
  if (contentType === undefined) return false
  return contentType.trimStart().toLowerCase().startsWith('application/x-www-form-urlencoded')
}
