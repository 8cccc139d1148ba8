import assert from 'node:assert/strict'
import { Readable } from 'node:stream'
import { describe, it } from 'node:test'
import { HeaderList } from '../kit/headers.js'
import { RequestView } from './context.js'

function requestWith (body: Readable | null, headers = new HeaderList()): RequestView {
  return new RequestView({
    id: 'r1', method: 'POST', path: '/', query: '', headers, host: 'h', scheme: 'http',
    clientIp: '127.0.0.1', peerIp: '127.0.0.1', httpVersion: '1.1', body, bodyLength: undefined, maxBodyBytes: 1 << 20
  })
}

describe('request.replaceBody', () => {
  it('replaces a body that was read: the buffer, its length, the content-length field and later reads', async () => {
    const headers = new HeaderList(['content-length'], ['5'])
    const request = requestWith(Readable.from([Buffer.from('hello')]), headers)
    assert.equal((await request.readBody()).toString(), 'hello')
    request.replaceBody(Buffer.from('goodbye'))
    assert.equal(request.bodyBuffer?.toString(), 'goodbye')
    assert.equal(request.bodyLength, 7)
    assert.equal(request.bodyStream, null)
    assert.equal(headers.get('content-length'), '7')
    assert.equal((await request.readBody()).toString(), 'goodbye')
  })

  it('gives a body to a request that had none', () => {
    const request = requestWith(null)
    request.replaceBody(Buffer.from('{}'))
    assert.equal(request.bodyLength, 2)
    assert.equal(request.headers.has('content-length'), false)
  })

  it('throws when the body stream was not read yet (it would be left on the connection)', () => {
    const request = requestWith(Readable.from([Buffer.from('x')]))
    assert.throws(() => request.replaceBody(Buffer.from('y')), /readBody\(\) first/)
  })

  it('throws while a read is still pending', async () => {
    const request = requestWith(Readable.from([Buffer.from('x')]))
    const pending = request.readBody()
    assert.throws(() => request.replaceBody(Buffer.from('y')), /readBody\(\) first/)
    await pending
  })
})
