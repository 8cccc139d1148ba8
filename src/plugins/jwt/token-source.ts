import type { GatewayRequest } from '../../kit/context.js'

/** Where a token may be found, compiled from the config. */
export interface TokenSource {
  readonly header: string
  readonly queryParam: string | undefined
  readonly cookie: string | undefined
}

/** Where the token of a request was found, so `hide_credentials` can remove it. */
export type TokenPlace = 'header' | 'query' | 'cookie'

/** The token and where it was, `undefined` when the request carries none; `malformed` for a header that is not `Bearer <token>`. */
export type FoundToken = { token: string, place: TokenPlace } | { malformed: string } | undefined

const BEARER = /^bearer +/i

/** The value of cookie `name` in a Cookie header (`a=1; b=2`), or undefined. */
export function cookieValue (header: string, name: string): string | undefined {
  for (const part of header.split(';')) {
    const eq = part.indexOf('=')
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/**
 * Finds the token: the header first (in `Authorization` the Bearer scheme is required, RFC 6750
 * §2.1; in another header a Bearer prefix is optional), then the query parameter, then the cookie.
 */
export function findToken (request: GatewayRequest, source: TokenSource): FoundToken {
  const value = request.headers.get(source.header)
  if (value !== undefined && value !== '') {
    if (BEARER.test(value)) return { token: value.replace(BEARER, '').trim(), place: 'header' }
    if (source.header === 'authorization') return { malformed: 'the Authorization header does not use the Bearer scheme' }
    return { token: value.trim(), place: 'header' }
  }
  if (source.queryParam !== undefined) {
    const fromQuery = request.queryParam(source.queryParam)
    if (fromQuery !== undefined && fromQuery !== '') return { token: fromQuery, place: 'query' }
  }
  if (source.cookie !== undefined) {
    const cookies = request.headers.get('cookie')
    const fromCookie = cookies === undefined ? undefined : cookieValue(cookies, source.cookie)
    if (fromCookie !== undefined && fromCookie !== '') return { token: fromCookie, place: 'cookie' }
  }
  return undefined
}

/** Removes the token from where it was found (`hide_credentials`). */
export function removeToken (request: GatewayRequest, source: TokenSource, place: TokenPlace): void {
  if (place === 'header') request.headers.delete(source.header)
  else if (place === 'query') request.deleteQueryParam(source.queryParam as string)
  else {
    const cookies = request.headers.get('cookie') ?? ''
    const kept = cookies.split(';').filter((part) => part.slice(0, Math.max(0, part.indexOf('='))).trim() !== source.cookie).map((part) => part.trim()).filter((part) => part !== '')
    if (kept.length === 0) request.headers.delete('cookie')
    else request.headers.set('cookie', kept.join('; '))
  }
}
