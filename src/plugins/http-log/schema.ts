import { Type, type Static } from '@sinclair/typebox'
import { HEADER_NAME_PATTERN } from '../../config/schema/typedefs.js'

const KIB = 1024
const MIB = 1024 * KIB

/** How a batch is laid out in the POST body. */
export const HTTP_LOG_FORMATS = ['json-lines', 'json-array'] as const

/** The config of an http-log binding. */
export const httpLogSchema = Type.Object({
  url: Type.String({
    pattern: '^https?://[^\\s/?#@]+(/[^\\s]*)?$',
    maxLength: 2048,
    description: 'Collector URL the batches are POSTed to (http or https). Required.'
  }),
  format: Type.Unsafe<typeof HTTP_LOG_FORMATS[number]>({
    type: 'string',
    enum: [...HTTP_LOG_FORMATS],
    default: 'json-lines',
    description: 'Body of a batch: "json-lines" (one record per line) or "json-array" (one JSON array). Default "json-lines".'
  }),
  content_type: Type.Optional(Type.String({
    pattern: '^[\\x21-\\x7e][\\x20-\\x7e]*$',
    maxLength: 256,
    description: 'Content-Type of the POST. Default "application/x-ndjson" for json-lines, "application/json" for json-array.'
  })),
  headers: Type.Record(Type.String({ pattern: HEADER_NAME_PATTERN }), Type.String({ pattern: '^[^\\r\\n\\x00]*$', maxLength: 8192 }), {
    additionalProperties: false,
    default: {},
    description: 'Extra request headers, e.g. {"authorization": "Bearer ${COLLECTOR_TOKEN}"}; x-tollgate-batch-id is set by http-log and refused here. Default {}.'
  }),
  include_query: Type.Boolean({
    default: false,
    description: 'Send the raw query string; off by default because queries can carry keys and personal data. Default false.'
  }),
  timeout_ms: Type.Integer({
    minimum: 100,
    maximum: 300_000,
    default: 10_000,
    description: 'Time limit of one POST (connect, send, answer); past it the attempt failed and is retried. Default 10000.'
  }),
  batch_max_records: Type.Integer({
    minimum: 1,
    maximum: 100_000,
    default: 500,
    description: 'A batch is sent as soon as this many records wait. Default 500.'
  }),
  batch_max_bytes: Type.Integer({
    minimum: 1 * KIB,
    maximum: 64 * MIB,
    default: 1 * MIB,
    description: 'Most bytes of records in one POST (a single larger record goes alone). Default 1048576 (1 MiB).'
  }),
  flush_interval_ms: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1000,
    description: 'A waiting record is sent at the latest this long after it was queued. Default 1000.'
  }),
  max_retries: Type.Integer({
    minimum: 0,
    maximum: 100,
    default: 5,
    description: 'Further attempts of a failed batch (network error, timeout, 408, 429, 5xx) before it is dropped. Default 5.'
  }),
  retry_base_ms: Type.Integer({
    minimum: 1,
    maximum: 60_000,
    default: 500,
    description: 'Backoff before the first retry; doubled for each further one, with jitter (half to all of it). Default 500.'
  }),
  retry_max_ms: Type.Integer({
    minimum: 1,
    maximum: 600_000,
    default: 30_000,
    description: 'Longest backoff between two attempts (at least retry_base_ms). Default 30000.'
  }),
  queue_max_records: Type.Integer({
    minimum: 1,
    maximum: 10_000_000,
    default: 10_000,
    description: 'Most records waiting in this worker (besides the batch being sent); more are dropped and counted. Default 10000.'
  }),
  queue_max_bytes: Type.Integer({
    minimum: 1 * KIB,
    maximum: 1024 * MIB,
    default: 8 * MIB,
    description: 'Most bytes of records waiting in this worker (besides the batch being sent); more are dropped and counted. Default 8388608 (8 MiB).'
  }),
  drain_timeout_ms: Type.Integer({
    minimum: 0,
    maximum: 60_000,
    default: 1500,
    description: 'On a graceful stop, how long the worker keeps sending what is queued (also bounded by the worker\'s own 2 s for plugins). Default 1500.'
  })
}, { additionalProperties: false })

/** A validated http-log config (defaults applied). */
export type HttpLogConfig = Static<typeof httpLogSchema>
