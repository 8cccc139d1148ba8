// What a client's FIN means under the listener's default `half_close: abort`: the client left, as
// nginx takes it for proxied requests. The requests it is still owed are given up and their
// upstream calls cut, so a merchant that gave up does not keep a backend busy. (`half_close:
// answer` is covered by the FIN cases of ingress-verdict.test.ts.)
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import net from 'node:net'
import { INGRESS_KINDS } from '../support/configs.js'
import type { GatewayProcess } from '../support/gateway-process.js'
import { startSuiteGateway, stopSuiteGateway } from '../support/suite-gateway.js'
import { UpstreamServer } from '../support/upstream-server.js'

const UPSTREAM_DELAY_MS = 1500

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * Sends `bytes`, then FIN once `ready` says so (e.g. the upstream has the request); resolves with
 * what came back once the gateway closed the connection.
 */
async function sendThenFin (port: number, bytes: string, ready: () => boolean = () => true): Promise<string> {
  const socket = net.connect(port, '127.0.0.1')
  let received = ''
  socket.on('data', (chunk: Buffer) => { received += chunk.toString('latin1') })
  const closed = new Promise<void>((resolve, reject) => {
    socket.on('error', reject)
    socket.on('close', () => resolve())
  })
  socket.write(bytes)
  for (let i = 0; i < 100 && !ready(); i++) await sleep(20)
  assert.ok(ready(), 'the request got as far as it should before the FIN')
  socket.end()
  await closed
  return received
}

for (const ingress of INGRESS_KINDS) {
  describe(`half_close: abort (the default) on the ${ingress} ingress`, () => {
    const cut: string[] = []
    const upstream = new UpstreamServer((req, res) => {
      const timer = setTimeout(() => res.end('late'), UPSTREAM_DELAY_MS)
      res.on('close', () => {
        if (res.writableEnded) return
        clearTimeout(timer)
        cut.push(req.url ?? '')
      })
    })
    let gateway: GatewayProcess
    let port: number
    before(async () => {
      ({ gateway, port } = await startSuiteGateway(upstream, {}))
    })
    after(async () => { await stopSuiteGateway(gateway, upstream) })

    it('a FIN while the answer is owed: nothing is answered and the upstream call is cut', async () => {
      const started = Date.now()
      const atUpstream = (): boolean => upstream.seen.some((seen) => seen.url === '/slow-a')
      const received = await sendThenFin(port, 'GET /slow-a HTTP/1.1\r\nHost: gw.test\r\n\r\n', atUpstream)
      assert.equal(received, '', 'no answer for a client that left')
      for (let i = 0; i < 100 && !cut.includes('/slow-a'); i++) await sleep(20)
      assert.ok(cut.includes('/slow-a'), 'the upstream request was cut, not left to finish')
      assert.ok(Date.now() - started < UPSTREAM_DELAY_MS, 'the connection closed before the upstream would have answered')
    })

    it('pipelined requests then FIN: none of them is answered', async () => {
      const received = await sendThenFin(port, 'GET /slow-b HTTP/1.1\r\nHost: gw.test\r\n\r\nGET /slow-c HTTP/1.1\r\nHost: gw.test\r\n\r\n', () => upstream.seen.some((seen) => seen.url === '/slow-b'))
      assert.equal(received, '')
      // Pipelined requests are handled side by side: each one that went upstream is cut.
      const sent = (): string[] => upstream.seen.map((seen) => seen.url).filter((url) => url === '/slow-b' || url === '/slow-c')
      for (let i = 0; i < 100 && !sent().every((url) => cut.includes(url)); i++) await sleep(20)
      assert.deepEqual(sent().filter((url) => !cut.includes(url)), [], 'no upstream request of theirs was left to finish')
    })
  })
}
