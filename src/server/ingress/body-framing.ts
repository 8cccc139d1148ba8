/** How an HTTP/1 request's body is framed, read from its raw header list. */
export interface BodyFraming {
  readonly chunked: boolean
  /** Content-Length when declared. */
  readonly length: number | undefined
}

/**
 * Body framing from the raw header list, without building a header object. The parser already
 * refused CL+TE conflicts and malformed lengths before this runs.
 */
export function bodyFraming (raw: readonly string[]): BodyFraming {
  let chunked = false
  let length: number | undefined
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string
    if (name.length === 14 && name.toLowerCase() === 'content-length') length = Number(raw[i + 1])
    else if (name.length === 17 && name.toLowerCase() === 'transfer-encoding') chunked = true
  }
  return { chunked, length }
}
