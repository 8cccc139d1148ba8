import http from 'node:http'

/** A response read as it arrives: for tests of streamed answers (lines, back-pressure, aborts). */
export interface StreamReader {
  readonly status: number
  readonly headers: http.IncomingHttpHeaders
  /** The body bytes received so far. */
  received (): Buffer
  /** Resolves once the body holds at least `count` complete lines (`\n`-terminated), with them. */
  lines (count: number): Promise<string[]>
  /** Starts reading (a reader opened with `paused` reads nothing until then). */
  read (): void
  /** Resolves when the body ended (`complete`) or the connection was cut before its end. */
  readonly ended: Promise<{ complete: boolean }>
  /**
   * Goes away mid-response with a reset (as a client that closes with unread data, or crashes):
   * the gateway sees it at once. A plain close (FIN) looks like a half-close to the gateway until
   * it writes again: `close`.
   */
  abort (): void
  /** Closes the connection (FIN): the gateway notices when its next writes are refused. */
  close (): void
}

/**
 * Sends a GET on a fresh connection and resolves at the response head. With `paused` nothing of
 * the body is read until `read()`: the client's socket fills and the sender has to wait.
 */
export function openStream (port: number, path: string, options: { paused?: boolean, headers?: Record<string, string> } = {}): Promise<StreamReader> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: options.headers, agent: false }, (res) => {
      const chunks: Buffer[] = []
      let waiters: Array<() => void> = []
      let finished = false
      let settle: (result: { complete: boolean }) => void = () => {}
      const ended = new Promise<{ complete: boolean }>((resolve) => { settle = resolve })
      const wake = (): void => {
        const current = waiters
        waiters = []
        for (const waiter of current) waiter()
      }
      const received = (): Buffer => Buffer.concat(chunks)
      res.on('end', () => { finished = true; settle({ complete: true }); wake() })
      res.on('close', () => { if (!finished) { finished = true; settle({ complete: false }); wake() } })
      res.on('error', () => {})
      const read = (): void => { res.on('data', (chunk: Buffer) => { chunks.push(chunk); wake() }) }
      if (options.paused !== true) read()
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        received,
        read,
        ended,
        abort: () => { res.socket.resetAndDestroy() },
        close: () => { req.destroy() },
        lines: async (count) => {
          for (;;) {
            const lines = received().toString('utf8').split('\n').slice(0, -1)
            if (lines.length >= count) return lines
            if (finished) throw new Error(`the body ended after ${lines.length} of ${count} lines: ${received().toString('utf8')}`)
            await new Promise<void>((resolve) => waiters.push(resolve))
          }
        }
      })
    })
    req.on('error', reject)
    req.end()
  })
}
