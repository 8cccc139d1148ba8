import net from 'node:net'

/** What a client saw on one connection: final statuses in order, interim ones, and its end. */
export interface ConnectionOutcome {
  /** Final (non-1xx) response statuses, in order. */
  statuses: number[]
  /** 1xx responses (e.g. 100 Continue). */
  interim: number[]
  /**
   * True when the server closed (or reset) the connection; false when a probe request was answered
   * (or, after a half-close, when the server did not close within the time allowed).
   */
  closed: boolean
  /** The `connection` and `keep-alive` fields of each final response, lower-cased ('' when neither). */
  connectionFields: string[]
  /** Everything received, as latin1 text. */
  raw: string
}

/** One parsed response at the start of `text`, or undefined when it is not complete yet. */
function takeResponse (text: string, closed: boolean, bodyless: boolean): { status: number, length: number, head: string } | undefined {
  const headEnd = text.indexOf('\r\n\r\n')
  if (headEnd === -1) return undefined
  const head = text.slice(0, headEnd).toLowerCase()
  const status = Number(/^http\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
  const start = headEnd + 4
  if (bodyless || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, length: start, head }
  const length = /\r\ncontent-length: *(\d+)/.exec(head)
  if (length !== null) {
    const end = start + Number(length[1])
    return text.length >= end ? { status, length: end, head } : undefined
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    let at = start
    for (;;) {
      const lineEnd = text.indexOf('\r\n', at)
      if (lineEnd === -1) return undefined
      const size = parseInt(text.slice(at, lineEnd), 16)
      if (size === 0) {
        const trailerEnd = text.indexOf('\r\n\r\n', lineEnd)
        return trailerEnd === -1 ? undefined : { status, length: trailerEnd + 4, head }
      }
      at = lineEnd + 2 + size + 2
      if (text.length < at) return undefined
    }
  }
  // Close-delimited: complete once the server closed.
  return closed ? { status, length: text.length, head } : undefined
}

/** `connection: …; keep-alive: …` of a lower-cased head, the fields that say how long it stays open. */
function connectionFieldsOf (head: string): string {
  return head.split('\r\n').filter((line) => /^(connection|keep-alive):/.test(line)).map((line) => line.replace(/: */, ': ')).join('; ')
}

const PROBE = 'GET /__probe HTTP/1.1\r\nHost: probe\r\n\r\n'

/**
 * Writes `pieces` on a fresh connection (each piece in its own write, a macrotask apart, so the
 * server sees the split), reads `expected` final responses, then tells a connection the server
 * kept (a probe request is answered) from one it closed. `bodyless[i]` marks responses to HEAD;
 * `awaitContinue` holds the pieces after the first until a 1xx arrives (an Expect: 100-continue client).
 * Resolves at the latest after `timeoutMs` with what came (closed: true).
 *
 * With `halfClose`, the client sends FIN after the last piece (`shutdown(SHUT_WR)`) and goes on
 * reading: no probe is sent; every response that comes is counted, until the server closes (or,
 * at `timeoutMs`, closed: false).
 */
export function exchange (port: number, pieces: Array<string | Buffer>, expected: number, options: { bodyless?: boolean[], timeoutMs?: number, probe?: boolean, awaitContinue?: boolean, halfClose?: boolean } = {}): Promise<ConnectionOutcome> {
  const { bodyless = [], timeoutMs = 8000, probe = true, awaitContinue = false, halfClose = false } = options
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const outcome: ConnectionOutcome = { statuses: [], interim: [], closed: false, connectionFields: [], raw: '' }
    let buffered = ''
    let probing = false
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      outcome.closed = closed
      socket.destroy()
      resolve(outcome)
    }
    const timer = setTimeout(() => finish(!halfClose), timeoutMs)
    const parse = (closed: boolean): void => {
      for (;;) {
        const index = outcome.statuses.length
        const response = takeResponse(buffered, closed, bodyless[index] === true && !probing)
        if (response === undefined) return
        buffered = buffered.slice(response.length)
        if (response.status >= 100 && response.status < 200) {
          outcome.interim.push(response.status)
          if (awaitContinue && i === 1) writeNext()
        }
        else if (probing) { finish(false); return } else {
          outcome.statuses.push(response.status)
          outcome.connectionFields.push(connectionFieldsOf(response.head))
        }
        if (outcome.statuses.length >= expected && !probing && !halfClose) {
          if (!probe) { finish(false); return }
          probing = true
          probeWhenWritten()
        }
      }
    }
    socket.on('data', (chunk: Buffer) => {
      const text = chunk.toString('latin1')
      outcome.raw += text
      buffered += text
      parse(false)
    })
    socket.on('close', () => { parse(true); finish(true) })
    socket.on('error', () => {})
    let i = 0
    let allWritten = false
    // The probe goes after the last piece, never into the middle of the stream under test.
    const probeWhenWritten = (): void => { if (allWritten && probing && !socket.destroyed) socket.write(PROBE) }
    const writeNext = (): void => {
      if (done || socket.destroyed) return
      const piece = pieces[i++]
      if (piece === undefined) {
        allWritten = true
        if (halfClose) socket.end()
        probeWhenWritten()
        return
      }
      socket.write(piece)
      // With awaitContinue, the pieces after the first wait for an interim answer (a client's Expect).
      if (!(awaitContinue && i === 1 && outcome.interim.length === 0)) setTimeout(writeNext, 0)
    }
    socket.once('connect', writeNext)
  })
}

/**
 * Writes `request` on a fresh connection, half-closes it at once (FIN, still reading), and reads
 * until the server closes: the head as text and the body bytes as sent (chunked framing kept).
 * `closed` is false when the server had not closed after `timeoutMs`.
 */
export function halfClosedExchange (port: number, request: string, timeoutMs = 10_000): Promise<{ head: string, body: Buffer, closed: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(request)
      socket.end()
    })
    const done = (closed: boolean): void => {
      clearTimeout(timer)
      socket.destroy()
      const all = Buffer.concat(chunks)
      const headEnd = all.indexOf('\r\n\r\n')
      resolve({ head: all.subarray(0, Math.max(headEnd, 0)).toString('latin1'), body: all.subarray(headEnd + 4), closed })
    }
    const timer = setTimeout(() => done(false), timeoutMs)
    socket.on('data', (chunk: Buffer) => chunks.push(chunk))
    socket.on('close', () => done(true))
    socket.on('error', () => {})
  })
}
