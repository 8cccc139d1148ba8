import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createServer, connect, type Server } from 'node:net'
import { FaultProxy } from './fault-proxy.js'

/** Sends `text`, collects the reply until close; resolves with what arrived and how it ended. */
function exchange (port: number, text: string): Promise<{ data: string, error: string | undefined }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    let data = ''
    let error: string | undefined
    socket.setTimeout(300, () => { error = 'timeout'; socket.destroy() })
    socket.on('connect', () => socket.write(text))
    socket.on('data', (chunk) => { data += chunk.toString() })
    socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code })
    socket.on('close', () => resolve({ data, error }))
  })
}

describe('fault proxy', () => {
  let echo: Server
  let proxy: FaultProxy
  before(async () => {
    echo = createServer((s) => s.on('data', (d) => s.end(`echo:${d.toString()}`)))
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve))
    proxy = await FaultProxy.start({ host: '127.0.0.1', port: (echo.address() as { port: number }).port })
  })
  after(async () => {
    await proxy.close()
    await new Promise<void>((resolve) => echo.close(() => resolve()))
  })

  it('passes bytes both ways', async () => {
    await proxy.setMode({ kind: 'pass' })
    assert.deepEqual(await exchange(proxy.port, 'hi'), { data: 'echo:hi', error: undefined })
  })
  it('refuses, then listens again on the same port', async () => {
    await proxy.setMode({ kind: 'refuse' })
    assert.equal((await exchange(proxy.port, 'hi')).error, 'ECONNREFUSED')
    await proxy.setMode({ kind: 'pass' })
    assert.equal((await exchange(proxy.port, 'hi')).data, 'echo:hi')
  })
  it('resets on the first bytes', async () => {
    await proxy.setMode({ kind: 'reset' })
    assert.deepEqual(await exchange(proxy.port, 'hi'), { data: '', error: 'ECONNRESET' })
  })
  it('resets the reply after some bytes', async () => {
    await proxy.setMode({ kind: 'reset-reply', afterBytes: 3 })
    assert.deepEqual(await exchange(proxy.port, 'hello'), { data: 'ech', error: 'ECONNRESET' })
  })
  it('hangs', async () => {
    await proxy.setMode({ kind: 'hang' })
    assert.deepEqual(await exchange(proxy.port, 'hi'), { data: '', error: 'timeout' })
  })
  it('trickles the whole reply', async () => {
    await proxy.setMode({ kind: 'trickle', bytes: 2, everyMs: 5 })
    assert.deepEqual(await exchange(proxy.port, 'abc'), { data: 'echo:abc', error: undefined })
  })
  it('cut-matching resets the connections that sent the pattern and passes the others', async () => {
    await proxy.setMode({ kind: 'cut-matching', pattern: 'SETNAME sub' })
    assert.deepEqual(await exchange(proxy.port, 'CLIENT SETNAME sub'), { data: '', error: 'ECONNRESET' })
    assert.deepEqual(await exchange(proxy.port, 'CLIENT SETNAME reader'), { data: 'echo:CLIENT SETNAME reader', error: undefined })
  })
  it('cut-matching resets an open connection that sent the pattern earlier', async () => {
    // A server that answers and keeps the connection open, as Redis does.
    const keep = createServer((s) => s.on('data', (d) => s.write(`ok:${d.toString()}`)))
    await new Promise<void>((resolve) => keep.listen(0, '127.0.0.1', resolve))
    const keepProxy = await FaultProxy.start({ host: '127.0.0.1', port: (keep.address() as { port: number }).port })
    try {
      const socket = connect(keepProxy.port, '127.0.0.1')
      const ended = new Promise<string | undefined>((resolve) => {
        let error: string | undefined
        socket.on('error', (e: NodeJS.ErrnoException) => { error = e.code })
        socket.on('close', () => resolve(error))
      })
      socket.write('CLIENT SETNAME sub')
      await new Promise((resolve) => socket.once('data', resolve))
      await keepProxy.setMode({ kind: 'cut-matching', pattern: 'SETNAME sub' })
      assert.equal(await ended, 'ECONNRESET')
    } finally {
      await keepProxy.close()
      await new Promise<void>((resolve) => keep.close(() => resolve()))
    }
  })
  it('answers garbage', async () => {
    await proxy.setMode({ kind: 'garbage', reply: 'NOT HTTP\r\n' })
    assert.deepEqual(await exchange(proxy.port, 'hi'), { data: 'NOT HTTP\r\n', error: undefined })
  })
})
