import { Pool } from 'undici'
import { BATCH_ID_HEADER } from './batch-id.js'

/** Where and how batches are POSTed: what makes two bindings share one shipper. */
export interface Destination {
  readonly url: string
  readonly contentType: string
  /** Extra request headers, names lower-case. */
  readonly headers: Readonly<Record<string, string>>
}

/** The outcome of one POST: accepted, or failed and whether trying again could help. */
export type PostOutcome =
  | { readonly ok: true }
  | { readonly ok: false, readonly retry: boolean, readonly reason: string }

/** Sends batch bodies to a collector, one call at a time. */
export interface BatchPoster {
  /** POSTs `body` with its batch id (the same on every attempt); never rejects (failures are outcomes). */
  post (body: Buffer, batchId: string, timeoutMs: number): Promise<PostOutcome>
  /** Closes the connections (a POST in flight is aborted). */
  close (): Promise<void>
}

/** Statuses worth trying again: the collector is overloaded or briefly broken, not refusing the data. */
function retryable (status: number): boolean {
  return status === 408 || status === 429 || status >= 500
}

/**
 * A poster over one undici pool to the collector's origin, keep-alive, one connection (the
 * shipper sends one batch at a time). Each POST is bounded by `timeoutMs` from start to the end
 * of the answer, so a collector that accepts the connection and never answers costs one timeout,
 * and the aborted connection is discarded.
 */
export function collectorPoster (destination: Destination): BatchPoster {
  const url = new URL(destination.url)
  const pool = new Pool(url.origin, { connections: 1, keepAliveTimeout: 30_000 })
  const path = `${url.pathname}${url.search}`
  const headers = { ...destination.headers, 'content-type': destination.contentType }
  return {
    async post (body, batchId, timeoutMs) {
      try {
        const answer = await pool.request({ method: 'POST', path, headers: { ...headers, [BATCH_ID_HEADER]: batchId }, body, signal: AbortSignal.timeout(timeoutMs) })
        await answer.body.dump()
        const status = answer.statusCode
        if (status >= 200 && status < 300) return { ok: true }
        return { ok: false, retry: retryable(status), reason: `collector answered ${status}` }
      } catch (error) {
        return { ok: false, retry: true, reason: (error as Error).message }
      }
    },
    close: () => pool.destroy()
  }
}
