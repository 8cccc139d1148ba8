import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { setImmediate as tick } from 'node:timers/promises'
import { describe, it } from 'node:test'
import { GatewayError } from '../errors.js'
import { HeaderList } from '../kit/headers.js'
import { limitBodyStream } from './body-limit.js'
import { RequestView } from './context.js'

async function collect (stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = []
  for await (const chunk of stream) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks)
}

function requestWith (body: Readable, bodyLength: number | undefined): RequestView {
  return new RequestView({
    id: 'r1', method: 'POST', path: '/', query: '', headers: new HeaderList(), host: 'h', scheme: 'http',
    clientIp: '127.0.0.1', peerIp: '127.0.0.1', httpVersion: '1.1', body, bodyLength, maxBodyBytes: 1 << 20
  })
}

describe('limitBodyStream', () => {
  it('passes a body within the cap through unchanged', async () => {
    let exceeded = 0
    const limited = limitBodyStream(Readable.from([Buffer.from('abc'), Buffer.from('defg')]), 7, () => { exceeded++ })
    assert.equal((await collect(limited)).toString(), 'abcdefg')
    assert.equal(exceeded, 0)
  })

  it('calls onExceeded once and fails the stream with TG_REQUEST_BODY_TOO_LARGE past the cap', async () => {
    let exceeded = 0
    const source = Readable.from([Buffer.from('abcd'), Buffer.from('efgh'), Buffer.from('ijkl')])
    const limited = limitBodyStream(source, 6, () => { exceeded++ })
    await assert.rejects(collect(limited), (error: unknown) => error instanceof GatewayError && error.code === 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(exceeded, 1)
    // The rest of the body is read and discarded, so the client is not left blocked.
    for (let i = 0; i < 20 && !source.readableEnded; i++) await tick()
    assert.equal(source.readableEnded, true)
  })

  it('does not buffer the body: an unread capped stream holds only the stream buffers', async () => {
    let produced = 0
    // A byte stream like the ingress's request (16 KiB high-water mark), with 4 MiB on offer.
    const source = new Readable({
      read () {
        produced++
        this.push(produced > 256 ? null : Buffer.alloc(16 * 1024))
      }
    })
    limitBodyStream(source, 64 << 20, () => {})
    for (let i = 0; i < 20; i++) await tick()
    // Nobody reads the capped stream: the source's and the limiter's high-water marks stop the flow.
    assert.ok(produced <= 8, `produced ${produced} chunks`)
  })

  it('ends the capped stream with an error when the source fails', async () => {
    const source = new Readable({ read () {} })
    const limited = limitBodyStream(source, 100, () => {})
    source.destroy(new Error('client reset'))
    await assert.rejects(collect(limited), /client reset/)
  })
})

describe('RequestView.limitBody', () => {
  it('makes readBody reject with TG_REQUEST_BODY_TOO_LARGE past the cap', async () => {
    const request = requestWith(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), undefined)
    request.limitBody(15)
    await assert.rejects(request.readBody(), (error: unknown) => error instanceof GatewayError && error.code === 'TG_REQUEST_BODY_TOO_LARGE')
    assert.equal(request.bodyTooLarge, true)
  })

  it('tells its owner once when the cap is passed', async () => {
    const request = requestWith(Readable.from([Buffer.alloc(10), Buffer.alloc(10)]), undefined)
    let told = 0
    request.owner = { bodyLimitExceeded: () => { told++ } }
    request.limitBody(15)
    await assert.rejects(request.readBody())
    assert.equal(told, 1)
  })

  it('keeps a body within the cap whole', async () => {
    const request = requestWith(Readable.from([Buffer.from('hello '), Buffer.from('world')]), undefined)
    request.limitBody(11)
    assert.equal((await request.readBody()).toString(), 'hello world')
    assert.equal(request.bodyTooLarge, false)
  })

  it('does nothing without a body stream', () => {
    const request = requestWith(Readable.from([]), 0)
    request.bodyStream = null
    request.limitBody(1)
    assert.equal(request.bodyStream, null)
  })
})
