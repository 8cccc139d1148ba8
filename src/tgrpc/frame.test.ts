import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { encodeFrame, type Frame } from './frame.js'
import { FrameDecoder } from './frame-decoder.js'
import { FrameType } from './protocol.js'
import { TgRpcProtocolError } from './errors.js'

// The test vectors of docs/tgrpc.md, built there byte by byte (independently of this encoder).
const VECTORS = {
  request: '544701010000000000000000000000010000003000000023077365727669636500066f7264657273066d6574686f6400066372656174650b646561646c696e652d6d7300033530307b226964223a393030373139393235343734303939332c2275726c223a22612f62227d',
  response: '544701020000000000000000000000010000001f0000000b0c636f6e74656e742d7479706500106170706c69636174696f6e2f6a736f6e7b226f6b223a747275657d',
  notFound: '544701020005000000000000000000020000001700000000076d657373616765000d6e6f2073756368206f72646572',
  ping: '544701040000000000000000000000000000000000000000',
  goAway: '544701060000000000000000000000070000000000000000',
  healthCheck: '544701010000000000000000000000030000004d000000000773657276696365000c74677270632e6865616c7468066d6574686f640005636865636b0b646561646c696e652d6d730004313030300e6865616c74682d7365727669636500066f7264657273',
  notServing: '54470102000e000000000000000000030000001500000000076d657373616765000b6e6f742073657276696e67'
}

const REQUEST_BODY = '{"id":9007199254740993,"url":"a/b"}'
const LIMITS = { maxHeaderBytes: 16384, maxBodyBytes: 1 << 20 }

function decodeAll (chunks: Buffer[], limits = LIMITS): Frame[] {
  const decoder = new FrameDecoder(limits)
  const frames: Frame[] = []
  for (const chunk of chunks) decoder.push(chunk, (frame) => frames.push({ ...frame, body: Buffer.from(frame.body) }))
  assert.equal(decoder.buffered, 0)
  return frames
}

describe('TG-RPC frames', () => {
  it('encode to the documented test vectors', () => {
    const hex = (buffers: Buffer[]): string => Buffer.concat(buffers).toString('hex')
    assert.equal(hex(encodeFrame(FrameType.REQUEST, 0, 1, [['service', 'orders'], ['method', 'create'], ['deadline-ms', '500']], Buffer.from(REQUEST_BODY))), VECTORS.request)
    assert.equal(hex(encodeFrame(FrameType.RESPONSE, 0, 1, [['content-type', 'application/json']], Buffer.from('{"ok":true}'))), VECTORS.response)
    assert.equal(hex(encodeFrame(FrameType.RESPONSE, 5, 2, [['message', 'no such order']], undefined)), VECTORS.notFound)
    assert.equal(hex(encodeFrame(FrameType.PING, 0, 0, [], undefined)), VECTORS.ping)
    assert.equal(hex(encodeFrame(FrameType.GOAWAY, 0, 7, [], undefined)), VECTORS.goAway)
    assert.equal(hex(encodeFrame(FrameType.REQUEST, 0, 3, [['service', 'tgrpc.health'], ['method', 'check'], ['deadline-ms', '1000'], ['health-service', 'orders']], undefined)), VECTORS.healthCheck)
    assert.equal(hex(encodeFrame(FrameType.RESPONSE, 14, 3, [['message', 'not serving']], undefined)), VECTORS.notServing)
  })

  it('decode the test vectors, body bytes untouched', () => {
    const [request] = decodeAll([Buffer.from(VECTORS.request, 'hex')])
    assert.equal(request?.type, FrameType.REQUEST)
    assert.equal(request?.requestId, 1)
    assert.deepEqual([...(request?.headers ?? [])], [['service', 'orders'], ['method', 'create'], ['deadline-ms', '500']])
    assert.equal(request?.body.toString(), REQUEST_BODY)
    const [notFound] = decodeAll([Buffer.from(VECTORS.notFound, 'hex')])
    assert.equal(notFound?.status, 5)
    assert.equal(notFound?.headers.get('message'), 'no such order')
  })

  it('decode the same frames whatever the chunking: split at every byte, or all in one chunk', () => {
    const stream = Buffer.concat(Object.values(VECTORS).map((hex) => Buffer.from(hex, 'hex')))
    const whole = decodeAll([stream])
    assert.equal(whole.length, 7)
    for (let cut = 1; cut < stream.length; cut++) {
      assert.deepEqual(decodeAll([stream.subarray(0, cut), stream.subarray(cut)]), whole, `split at byte ${cut}`)
    }
    const bytes = [...stream].map((byte) => Buffer.from([byte]))
    assert.deepEqual(decodeAll(bytes), whole, 'one byte per chunk')
  })

  it('keep a large body exact when it arrives in many chunks', () => {
    const body = Buffer.alloc(300_000, 7)
    const stream = Buffer.concat(encodeFrame(FrameType.RESPONSE, 0, 9, [], body))
    const chunks: Buffer[] = []
    for (let at = 0; at < stream.length; at += 1000) chunks.push(stream.subarray(at, at + 1000))
    const [frame] = decodeAll(chunks)
    assert.ok(frame?.body.equals(body))
  })

  it('read well-known and other keys alike, values as UTF-8', () => {
    const entries: Array<[string, string]> = [['content-type', 'application/json'], ['message', 'déjà vu'], ['x.custom_key-1', 'v'], ['servicf', 'near a known key']]
    const [frame] = decodeAll([Buffer.concat(encodeFrame(FrameType.RESPONSE, 0, 3, entries, undefined))])
    assert.deepEqual([...(frame?.headers ?? [])], entries)
  })

  it('refuse to encode a key that is not lower-case ASCII', () => {
    for (const key of ['', 'Service', '-x', 'ké', 'a b', 'x'.repeat(256)]) {
      assert.throws(() => encodeFrame(FrameType.REQUEST, 0, 1, [[key, 'v']], undefined), TypeError, key)
    }
  })

  const refusals: Array<[string, string, string]> = [
    ['a foreign protocol', Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n').toString('hex'), 'BAD_MAGIC'],
    ['another version', VECTORS.ping.replace(/^54470/, '54470').replace(/^544701/, '544702'), 'BAD_VERSION'],
    ['an unknown frame type', '544701090000000000000000000000000000000000000000', 'BAD_FRAME_TYPE'],
    ['flags set', '544701040000000100000000000000000000000000000000', 'BAD_FLAGS'],
    ['a request id of 2^53 or more', '544701040000000000200000000000000000000000000000', 'BAD_REQUEST_ID'],
    ['an oversized body, before it arrives', '54470102000000000000000000000001000000000fffffff', 'BODY_TOO_LARGE'],
    ['an oversized header map', '544701020000000000000000000000010001000000000000', 'HEADER_TOO_LARGE'],
    ['a header entry running past the map', '5447010200000000000000000000000100000003000000000a6162', 'BAD_HEADER_MAP'],
    ['an upper-case header key', '544701020000000000000000000000010000000500000000' + '0141000178', 'BAD_HEADER_MAP'],
    ['a header key starting with "-"', '544701020000000000000000000000010000000600000000' + '022d61000178', 'BAD_HEADER_MAP'],
    ['a header key with a byte above 0x7f', '544701020000000000000000000000010000000600000000' + '0261e9000178', 'BAD_HEADER_MAP']
  ]
  for (const [what, hex, code] of refusals) {
    it(`refuse ${what} (${code})`, () => {
      const decoder = new FrameDecoder(LIMITS)
      assert.throws(() => decoder.push(Buffer.from(hex, 'hex'), () => {}), (error: unknown) => error instanceof TgRpcProtocolError && error.code === code)
    })
  }
})
