// Test support for the transport suites: upstream servers on 127.0.0.1 port 0 that count their
// connections, and a handler that collects one response or failure as a promise.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { createServer as createNetServer, type AddressInfo, type Server, type Socket } from 'node:net'
import type { Readable } from 'node:stream'
import type { Target, UpstreamCall, UpstreamFailure, UpstreamRequest, UpstreamResponseHandler, UpstreamTransport } from './transport.js'

/** A running test upstream. */
export interface TestUpstream {
  readonly target: Target
  /** Connections accepted so far. */
  readonly connections: () => number
  /** The sockets accepted so far, in order. */
  readonly sockets: Socket[]
  readonly close: () => Promise<void>
}

function targetOf (server: Server): Target {
  const port = (server.address() as AddressInfo).port
  return { id: `127.0.0.1:${port}`, host: '127.0.0.1', port, weight: 1 }
}

async function listen (server: Server, sockets: Socket[]): Promise<TestUpstream> {
  server.prependListener('connection', (socket: Socket) => { sockets.push(socket) })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    target: targetOf(server),
    connections: () => sockets.length,
    sockets,
    close: async () => {
      for (const s of sockets) s.destroy()
      await new Promise<void>((resolve) => server.close(() => { resolve() }))
    }
  }
}

/** Starts a node:http upstream with `handler`. */
export async function startHttpUpstream (handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestUpstream> {
  const server = createHttpServer({ keepAliveTimeout: 10_000 }, handler)
  return await listen(server, [])
}

/** Starts a raw TCP upstream: `onSocket` writes whatever bytes the test needs. */
export async function startRawUpstream (onSocket: (socket: Socket, index: number) => void): Promise<TestUpstream> {
  const sockets: Socket[] = []
  const server = createNetServer((socket) => {
    socket.on('error', () => {})
    onSocket(socket, sockets.length - 1)
  })
  return await listen(server, sockets)
}

/** Runs `onRequest` with the raw bytes of each request head received on a socket. */
export function onRequestHeads (socket: Socket, onRequest: (head: string, count: number) => void): void {
  let buffered = ''
  let count = 0
  socket.on('data', (data: Buffer) => {
    buffered += data.toString('latin1')
    let end = buffered.indexOf('\r\n\r\n')
    while (end !== -1) {
      const head = buffered.slice(0, end + 4)
      buffered = buffered.slice(end + 4)
      onRequest(head, count++)
      end = buffered.indexOf('\r\n\r\n')
    }
  })
}

/** What one attempt produced. */
export interface Outcome {
  status?: number
  headers?: string[]
  body: Buffer
  ended: boolean
  error?: UpstreamFailure
  /** Calls after the first ending (must stay 0). */
  extraEndings: number
}

/** Options of `send`. */
export interface SendOptions {
  /** Pause the body after each chunk for this long before resuming (back-pressure test). */
  pauseMs?: number
  /** Called with the call handle, once. */
  onCall?: (call: UpstreamCall) => void
}

/** Sends one request and resolves with its outcome once it ends or fails. */
export async function send (transport: UpstreamTransport, target: Target, request: UpstreamRequest, options: SendOptions = {}): Promise<Outcome> {
  return await new Promise((resolve) => {
    const chunks: Buffer[] = []
    const outcome: Outcome = { body: Buffer.alloc(0), ended: false, extraEndings: 0 }
    let done = false
    const finish = (): void => {
      if (done) { outcome.extraEndings++; return }
      done = true
      outcome.body = Buffer.concat(chunks)
      // Let stray callbacks show up before the test looks.
      setTimeout(() => { resolve(outcome) }, 20)
    }
    const handler: UpstreamResponseHandler = {
      onHead (status, headers) { outcome.status = status; outcome.headers = headers },
      onData (chunk) {
        chunks.push(Buffer.from(chunk))
        if (options.pauseMs === undefined) return true
        setTimeout(() => { call.resume() }, options.pauseMs)
        return false
      },
      onEnd () { outcome.ended = true; finish() },
      onError (error) { outcome.error = error; finish() }
    }
    const call = transport.request(target, request, handler)
    options.onCall?.(call)
  })
}

/** A request with test defaults: GET /, host header, generous timeouts, idempotent. */
export function makeRequest (target: Target, overrides: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return {
    method: 'GET',
    path: '/',
    headers: ['host', target.id],
    body: null,
    bodyLength: undefined,
    timeouts: { connectMs: 2000, sendMs: 2000, readMs: 2000 },
    idempotent: true,
    ...overrides
  }
}

/** Reads a whole request body on the server side. */
export async function readAll (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

/** Header value by lower-case name from a flat list. */
export function header (headers: string[] | undefined, name: string): string | undefined {
  if (headers === undefined) return undefined
  for (let i = 0; i < headers.length; i += 2) if (headers[i] === name) return headers[i + 1]
  return undefined
}

/** Resolves after `ms`. */
export async function delay (ms: number): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, ms))
}

/** Polls `condition` every 10 ms until it holds or `ms` pass; returns whether it held. */
export async function waitFor (condition: () => boolean, ms = 2000): Promise<boolean> {
  const until = Date.now() + ms
  while (!condition()) {
    if (Date.now() > until) return false
    await delay(10)
  }
  return true
}
