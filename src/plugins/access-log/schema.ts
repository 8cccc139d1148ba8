import { Type, type Static } from '@sinclair/typebox'

const KIB = 1024
const MIB = 1024 * KIB

/** The config of an access-log binding. */
export const accessLogSchema = Type.Object({
  path: Type.String({
    minLength: 1,
    maxLength: 4096,
    description: 'File the JSON lines are appended to (created with mode 0640); "-" writes to stdout. Required.'
  }),
  include_query: Type.Boolean({
    default: false,
    description: 'Log the raw query string; off by default because queries can carry keys and personal data. Default false.'
  }),
  buffer_bytes: Type.Integer({
    minimum: 1 * KIB,
    maximum: 16 * MIB,
    default: 64 * KIB,
    description: 'A batch is written as soon as it holds this many bytes. Default 65536 (64 KiB).'
  }),
  flush_interval_ms: Type.Integer({
    minimum: 10,
    maximum: 60_000,
    default: 1000,
    description: 'A non-empty batch is written at the latest this long after its first line. Default 1000.'
  }),
  max_pending_bytes: Type.Integer({
    minimum: 1 * KIB,
    maximum: 1024 * MIB,
    default: 8 * MIB,
    description: 'Bytes waiting behind a slow write (batches and the open batch); lines past it are dropped and counted. Default 8388608 (8 MiB).'
  }),
  max_bytes: Type.Integer({
    minimum: 0,
    maximum: 1024 * 1024 * MIB,
    default: 0,
    description: 'Rotate the file once it reaches this size: path → path.1 → … → path.<keep>; 0 never rotates (rotate externally and send SIGUSR1). Default 0.'
  }),
  keep: Type.Integer({
    minimum: 1,
    maximum: 100,
    default: 5,
    description: 'Rotated files kept when max_bytes is set; the oldest beyond it is overwritten. Default 5.'
  })
}, { additionalProperties: false })

/** A validated access-log config (defaults applied). */
export type AccessLogConfig = Static<typeof accessLogSchema>
