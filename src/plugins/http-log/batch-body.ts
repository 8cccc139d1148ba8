import type { HTTP_LOG_FORMATS } from './schema.js'

/** How a batch is laid out in the POST body. */
export type BatchFormat = typeof HTTP_LOG_FORMATS[number]

/** The Content-Type of a format when the config names none. */
export function defaultContentType (format: BatchFormat): string {
  return format === 'json-lines' ? 'application/x-ndjson' : 'application/json'
}

/**
 * The POST body of a batch. Records arrive as JSON lines (each ending in a newline): json-lines
 * sends them as they are; json-array joins them with commas inside brackets, newlines dropped.
 */
export function batchBody (records: readonly string[], format: BatchFormat): Buffer {
  if (format === 'json-lines') return Buffer.from(records.join(''))
  return Buffer.from(`[${records.map((record) => record.endsWith('\n') ? record.slice(0, -1) : record).join(',')}]`)
}
