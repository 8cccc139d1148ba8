import { Readable } from 'node:stream'

/** What a request body needs from its connection. */
export interface BodySource {
  /** The body's reader wants more: answer a pending `Expect: 100-continue`, resume the socket. */
  resumeBody (body: RequestBody): void
}

/** node:http's request high-water mark: how much body is buffered before the socket pauses. */
const BODY_HIGH_WATER_MARK = 16 * 1024

/**
 * The body of one request as a Readable. The connection pushes what the parser delivers and
 * pauses the socket when `push` says the buffer is full; reading resumes it.
 */
export class RequestBody extends Readable {
  /** True while an `Expect: 100-continue` is unanswered: the first read answers it. */
  continuePending = false
  private readonly source: BodySource

  constructor (source: BodySource) {
    super({ highWaterMark: BODY_HIGH_WATER_MARK })
    this.source = source
  }

  override _read (): void {
    this.source.resumeBody(this)
  }
}
