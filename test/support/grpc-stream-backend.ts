/**
 * A real grpc-js server for the server-streaming tests: tollgate.feed.Feed (test proto in
 * src/conversion/grpc/testing/stream-proto.ts), its messages encoded by protobufjs. It writes as
 * fast as its own stream takes messages, waiting for 'drain' like a well-behaved backend, so a
 * gateway that stops reading holds it. Records every call: messages written, cancellation.
 */
import { Metadata, Server, ServerCredentials, type ServerWritableStream, type UntypedServiceImplementation } from '@grpc/grpc-js'
import { compileSchema } from '../../src/conversion/grpc/descriptors/compile-schema.js'
import { STREAM_PROTO } from '../../src/conversion/grpc/testing/stream-proto.js'

const root = compileSchema({ kind: 'proto', files: [{ name: 'feed.proto', text: STREAM_PROTO }] }).root
const WatchRequest = root.lookupType('tollgate.feed.WatchRequest')
const Tick = root.lookupType('tollgate.feed.Tick')
const HttpBody = root.lookupType('google.api.HttpBody')

/** The first Tick's seq: 2^53 + 1, which a double would round. */
export const FIRST_SEQ = 9007199254740993n
/** The first Tick's big (the largest uint64); each next one is one less. */
export const MAX_UINT64 = 18446744073709551615n

export interface WatchArguments {
  readonly shop: string
  readonly count: number
  readonly end_with: number
  readonly pad_bytes: number
  readonly mode: string
}

/** One call the backend received. */
export interface StreamCall {
  readonly method: string
  readonly request: WatchArguments
  /** Messages handed to grpc-js so far. */
  written: number
  /** The call was cancelled before the backend ended it (grpc-js also says 'cancelled' after every end). */
  cancelled: boolean
  /** The backend ended the call (status sent). */
  ended: boolean
  /** Lets a `mode: "hold"` call go on to its end. */
  release (): void
}

export interface StreamBackend {
  readonly port: number
  readonly calls: StreamCall[]
  close (): Promise<void>
}

/** The gap between two messages of a `mode: "trickle"` call. */
const TRICKLE_MS = 20

/** Message `i` of a Watch stream. */
function tick (i: number, request: WatchArguments): Buffer {
  const value = { seq: String(FIRST_SEQ + BigInt(i)), big: String(MAX_UINT64 - BigInt(i)), shop: request.shop, pad: 'x'.repeat(request.pad_bytes) }
  return Buffer.from(Tick.encode(Tick.fromObject(value)).finish())
}

/** Chunk `i` of an Export stream: only the first content type counts, so the later ones differ on purpose. */
function exportChunk (i: number): Buffer {
  const value = { content_type: i === 0 ? 'text/csv' : 'application/json', data: Buffer.from(`row,${i}\n`) }
  return Buffer.from(HttpBody.encode(HttpBody.fromObject(value)).finish())
}

/** Resolves on the stream's next 'drain', or at once when the call is (or gets) cancelled. */
function drained (call: ServerWritableStream<Buffer, Buffer>, record: StreamCall): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      call.off('drain', done)
      call.off('cancelled', done)
      resolve()
    }
    call.on('drain', done)
    call.on('cancelled', done)
    if (record.cancelled) done()
  })
}

function streamHandler (method: string, calls: StreamCall[], piece: (i: number, request: WatchArguments) => Buffer) {
  return (call: ServerWritableStream<Buffer, Buffer>): void => {
    const request = WatchRequest.toObject(WatchRequest.decode(call.request), { defaults: true }) as unknown as WatchArguments
    let release: () => void = () => {}
    const released = new Promise<void>((resolve) => { release = resolve })
    const record: StreamCall = { method, request, written: 0, cancelled: false, ended: false, release }
    calls.push(record)
    call.on('cancelled', () => {
      if (record.ended) return
      record.cancelled = true
      release()
    })
    const headers = new Metadata()
    headers.set('x-backend', 'feed')
    call.sendMetadata(headers)
    const run = async (): Promise<void> => {
      for (let i = 0; i < request.count && !record.cancelled; i++) {
        record.written++
        if (!call.write(piece(i, request))) await drained(call, record)
        if (request.mode === 'trickle') await new Promise((resolve) => setTimeout(resolve, TRICKLE_MS))
      }
      if (request.mode === 'hold') await released
      if (record.cancelled) return
      const trailers = new Metadata()
      trailers.set('x-trailer', 'done')
      record.ended = true
      if (request.end_with !== 0) call.emit('error', { code: request.end_with, details: `ended with ${request.end_with} on purpose`, metadata: trailers })
      else call.end(trailers)
    }
    void run()
  }
}

/** Starts the feed backend on a free loopback port. */
export async function startStreamBackend (): Promise<StreamBackend> {
  const server = new Server()
  const calls: StreamCall[] = []
  const raw = (bytes: Buffer): Buffer => bytes
  const definition: Record<string, unknown> = {}
  const implementation: UntypedServiceImplementation = {}
  for (const [method, piece] of [['Watch', tick], ['Export', exportChunk]] as const) {
    definition[method] = { path: `/tollgate.feed.Feed/${method}`, requestStream: false, responseStream: true, requestSerialize: raw, requestDeserialize: raw, responseSerialize: raw, responseDeserialize: raw }
    implementation[method] = streamHandler(method, calls, piece)
  }
  server.addService(definition as never, implementation)
  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (error, bound) => error === null ? resolve(bound) : reject(error))
  })
  return {
    port,
    calls,
    close: () => new Promise((resolve) => {
      // A call still held would keep a graceful shutdown waiting.
      server.forceShutdown()
      resolve()
    })
  }
}
