import { STATUS_CODES } from 'node:http'

/** Status lines built once per status code (`HTTP/1.1 200 OK\r\n`). */
const statusLines: string[] = []

export function statusLine (status: number): string {
  let line = statusLines[status]
  if (line === undefined) {
    line = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}\r\n`
    statusLines[status] = line
  }
  return line
}

export const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n'
export const CHUNKED_FIELD = 'transfer-encoding: chunked\r\n'
export const CLOSE_FIELD = 'connection: close\r\n'
const KEEP_ALIVE_FIELD = 'connection: keep-alive\r\n'
export const LAST_CHUNK = '0\r\n\r\n'

/**
 * The fields of a response that keeps its connection, as node:http writes them: `connection:
 * keep-alive` and the idle time the client may count on, in whole seconds, rounded down (none when
 * it is 0). Built once per listener.
 */
export function keepAliveFields (idleMs: number): string {
  return idleMs > 0 ? `${KEEP_ALIVE_FIELD}keep-alive: timeout=${Math.floor(idleMs / 1000)}\r\n` : KEEP_ALIVE_FIELD
}

let dateField: string | undefined

/** `date: <IMF-fixdate>\r\n`, built at most once per second (as node:http does). */
export function dateLine (): string {
  if (dateField === undefined) {
    dateField = `date: ${new Date().toUTCString()}\r\n`
    setTimeout(() => { dateField = undefined }, 1000 - new Date().getMilliseconds()).unref()
  }
  return dateField
}
