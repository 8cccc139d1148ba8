import http from 'node:http'
import type { AddressInfo } from 'node:net'

/** One POST the collector received. */
export interface ReceivedBatch {
  readonly path: string
  readonly contentType: string
  readonly headers: http.IncomingHttpHeaders
  /** The records, parsed from JSON lines or a JSON array (by content type). */
  readonly records: Array<Record<string, unknown>>
  /** The status the collector answered; 0 when it stored the batch and dropped the connection instead. */
  readonly status: number
}

/**
 * A log collector on 127.0.0.1 for http-log tests: takes POSTs of JSON lines
 * (`application/x-ndjson`) or a JSON array (`application/json`), keeps the records of the ones it
 * accepted (200), and can be told to answer the next POSTs with other statuses (`failNext`), to
 * store the next POSTs and then drop the connection without answering (`storeThenDropNext`: the
 * sender cannot tell it from a loss), or to hang (read the body, never answer) until told otherwise.
 */
export class LogCollector {
  readonly batches: ReceivedBatch[] = []
  /** Every POST, accepted or not. */
  requests = 0
  /** While true, requests are read and left unanswered. */
  hang = false
  private readonly statuses: number[] = []
  private storeThenDrop = 0
  private readonly hung = new Set<http.ServerResponse>()
  private readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      this.requests++
      if (this.hang) {
        this.hung.add(res)
        res.on('close', () => this.hung.delete(res))
        return
      }
      const dropConnection = this.storeThenDrop > 0
      if (dropConnection) this.storeThenDrop--
      const status = dropConnection ? 0 : this.statuses.shift() ?? 200
      const contentType = String(req.headers['content-type'])
      const text = Buffer.concat(chunks).toString('utf8')
      if (status === 200 || status === 0) {
        const records = contentType.startsWith('application/json')
          ? JSON.parse(text) as Array<Record<string, unknown>>
          : text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>)
        this.batches.push({ path: req.url ?? '', contentType, headers: req.headers, records, status })
      }
      if (dropConnection) return req.socket.destroy()
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(status === 200 ? '{}' : '{"message":"try later"}')
    })
  })

  /** Every record accepted so far, in arrival order. */
  get records (): Array<Record<string, unknown>> {
    return this.batches.flatMap((batch) => batch.records)
  }

  /** POSTs waiting for an answer because of `hang`. */
  get hungRequests (): number {
    return this.hung.size
  }

  /** The next `count` POSTs are stored, then their connections closed without an answer. */
  storeThenDropNext (count = 1): void {
    this.storeThenDrop += count
  }

  /** The next POSTs get these statuses (then 200 again). */
  failNext (...statuses: number[]): void {
    this.statuses.push(...statuses)
  }

  async listen (): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return (this.server.address() as AddressInfo).port
  }

  /** The URL of `path` on this collector (after `listen`). */
  url (path = '/logs'): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}${path}`
  }

  close (): Promise<void> {
    for (const res of this.hung) res.destroy()
    this.server.closeAllConnections()
    return new Promise((resolve) => this.server.close(() => resolve()))
  }
}

/** Polls `check` every 20 ms until it is true; throws with `what` after `timeoutMs`. */
export async function waitUntil (what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
