import net from 'node:net'

/** What a client saw on one connection: final statuses in order, interim ones, and its end. */
export interface ConnectionOutcome {
  /** Final (non-1xx) response statuses, in order. */
  statuses: number[]
  /** 1xx responses (e.g. 100 Continue). */
  interim: number[]
  /** True when the server closed (or reset) the connection; false when a probe request was answered. */
  closed: boolean
  /** Everything received, as latin1 text. */
  raw: string
}

/** One parsed response at the start of `text`, or undefined when it is not complete yet. */
function takeResponse (text: string, closed: boolean, bodyless: boolean): { status: number, length: number } | undefined {
  const headEnd = text.indexOf('\r\n\r\n')
  if (headEnd === -1) return undefined
  const head = text.slice(0, headEnd).toLowerCase()
  const status = Number(/^http\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0)
  const start = headEnd + 4
  if (bodyless || status === 204 || status === 304 || (status >= 100 && status < 200)) return { status, length: start }
  const length = /\r\ncontent-length: *(\d+)/.exec(head)
  if (length !== null) {
    const end = start + Number(length[1])
    return text.length >= end ? { status, length: end } : undefined
  }
  if (/\r\ntransfer-encoding: *chunked/.test(head)) {
    let at = start
    for (;;) {
      const lineEnd = text.indexOf('\r\n', at)
      if (lineEnd === -1) return undefined
      const size = parseInt(text.slice(at, lineEnd), 16)
      if (size === 0) {
        const trailerEnd = text.indexOf('\r\n\r\n', lineEnd)
        return trailerEnd === -1 ? undefined : { status, length: trailerEnd + 4 }
      }
      at = lineEnd + 2 + size + 2
      if (text.length < at) return undefined
    }
  }
  // Close-delimited: complete once the server closed.
  return closed ? { status, length: text.length } : undefined
}

const PROBE = 'GET /__probe HTTP/1.1\r\nHost: probe\r\n\r\n'

/**
 * Writes `pieces` on a fresh connection (each piece in its own write, a macrotask apart, so the
 * server sees the split), reads `expected` final responses, then tells a connection the server
 * kept (a probe request is answered) from one it closed. `bodyless[i]` marks responses to HEAD;
 * `awaitContinue` holds the pieces after the first until a 1xx arrives (an Expect: 100-continue client).
 * Resolves at the latest after `timeoutMs` with what came (closed: true).
 */
export function exchange (port: number, pieces: Array<string | Buffer>, expected: number, options: { bodyless?: boolean[], timeoutMs?: number, probe?: boolean, awaitContinue?: boolean } = {}): Promise<ConnectionOutcome> {
  const { bodyless = [], timeoutMs = 8000, probe = true, awaitContinue = false } = options
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1')
    const outcome: ConnectionOutcome = { statuses: [], interim: [], closed: false, raw: '' }
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
    const timer = setTimeout(() => finish(true), timeoutMs)
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
        else if (probing) { finish(false); return } else outcome.statuses.push(response.status)
        if (outcome.statuses.length >= expected && !probing) {
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
