import { randomUUID } from 'node:crypto'

/** The request header that carries a batch's id: the key a collector deduplicates on. */
export const BATCH_ID_HEADER = 'x-tollgate-batch-id'

/**
 * Makes the ids of one shipper's batches: `<prefix>-<sequence>`. The prefix is a random UUID drawn
 * when the shipper is made, so ids differ across destinations, workers, nodes and restarts without
 * any of them being configured; the sequence (1, 2, …) numbers the shipper's batches in the order
 * they were taken. The id is drawn once per batch, so every retry of a batch carries the same one.
 */
export function batchIdSequence (prefix: string = randomUUID()): () => string {
  let sequence = 0
  return () => `${prefix}-${++sequence}`
}
