// The server library's health method (docs/tgrpc.md §9), over real sockets.
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { TgRpcServer } from './server.js'
import { TgRpcConnection } from './client-connection.js'
import { FrameType, HEAD_BYTES, HEALTH_CHECK, HeaderKey } from './protocol.js'
import { TgRpcStatus } from './status.js'

/** The health call's answer: status and message. */
function check (port: number, service?: string): Promise<{ status: number, message: string | undefined }> {
  const connection = new TgRpcConnection({ host: '127.0.0.1', port, connectTimeoutMs: 1000, heartbeatMs: 5000, maxBodyBytes: 1024 })
  const headers: Array<readonly [string, string]> = service === undefined ? [] : [[HeaderKey.HEALTH_SERVICE, service]]
  return new Promise((resolve, reject) => {
    connection.call({ ...HEALTH_CHECK, headers, body: Buffer.alloc(0), timeoutMs: 1000 }, (error, reply) => {
      connection.destroy(undefined)
      if (error !== undefined || reply === undefined) reject(error ?? new Error('no reply'))
      else resolve({ status: reply.status, message: reply.headers.get(HeaderKey.MESSAGE) })
    })
  })
}

describe('the TG-RPC server library answers the health method', () => {
  const server = new TgRpcServer()
  let port = 0
  before(async () => {
    server.handle('orders', 'get', () => ({ body: '{}' }))
    port = await server.listen(0)
  })
  after(async () => { await server.close(100) })

  it('serving by default, for the whole server and for a service with handlers', async () => {
    assert.deepEqual(await check(port), { status: TgRpcStatus.OK, message: undefined })
    assert.deepEqual(await check(port, ''), { status: TgRpcStatus.OK, message: undefined })
    assert.deepEqual(await check(port, 'orders'), { status: TgRpcStatus.OK, message: undefined })
  })

  it('a service it does not know is NOT_FOUND, until setServing names it', async () => {
    assert.deepEqual(await check(port, 'payments'), { status: TgRpcStatus.NOT_FOUND, message: "no service 'payments' on this server" })
    server.setServing(true, 'payments')
    assert.equal((await check(port, 'payments')).status, TgRpcStatus.OK)
  })

  it('setServing(false) makes the whole server, and so every service, UNAVAILABLE; one service alone can be taken out', async () => {
    server.setServing(false)
    assert.deepEqual(await check(port), { status: TgRpcStatus.UNAVAILABLE, message: 'not serving' })
    assert.equal((await check(port, 'orders')).status, TgRpcStatus.UNAVAILABLE)
    server.setServing(true)
    server.setServing(false, 'orders')
    assert.equal((await check(port, 'orders')).status, TgRpcStatus.UNAVAILABLE)
    assert.equal((await check(port)).status, TgRpcStatus.OK)
    server.setServing(true, 'orders')
    assert.equal((await check(port, 'orders')).status, TgRpcStatus.OK)
  })

  it('answers the documented health request vector with the documented not-serving vector, byte for byte', async () => {
    const request = Buffer.from('544701010000000000000000000000030000004d000000000773657276696365000c74677270632e6865616c7468066d6574686f640005636865636b0b646561646c696e652d6d730004313030300e6865616c74682d7365727669636500066f7264657273', 'hex')
    server.setServing(false)
    try {
      const socket = connect({ host: '127.0.0.1', port })
      const response = await new Promise<Buffer>((resolve, reject) => {
        let received = Buffer.alloc(0)
        socket.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk])
          // Walks the frames by their head's lengths (SETTINGS comes first), so the answer is compared as the server wrote it.
          for (let offset = 0; offset + HEAD_BYTES <= received.length;) {
            const end = offset + HEAD_BYTES + received.readUInt32BE(offset + 16) + received.readUInt32BE(offset + 20)
            if (end > received.length) return
            if (received[offset + 3] === FrameType.RESPONSE) resolve(received.subarray(offset, end))
            offset = end
          }
        })
        socket.on('error', reject)
        socket.write(request)
      })
      socket.destroy()
      assert.equal(response.toString('hex'), '54470102000e000000000000000000030000001500000000076d657373616765000b6e6f742073657276696e67')
    } finally {
      server.setServing(true)
    }
  })

  it('a handler registered for the health method replaces the built-in answer', async () => {
    const custom = new TgRpcServer()
    custom.handle(HEALTH_CHECK.service, HEALTH_CHECK.method, () => ({ status: TgRpcStatus.FAILED_PRECONDITION, message: 'database down' }))
    const customPort = await custom.listen(0)
    try {
      assert.deepEqual(await check(customPort), { status: TgRpcStatus.FAILED_PRECONDITION, message: 'database down' })
    } finally {
      await custom.close(100)
    }
  })
})
